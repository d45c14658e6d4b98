using Cairn.Protocol.Etcdserverpb;
using Cairn.Protocol.Mvccpb;
using Cairn.Server.Watch;
using static Cairn.Server.Tests.Watch.WatchHarness;
using FilterType = Cairn.Protocol.Etcdserverpb.WatchCreateRequest.Types.FilterType;

namespace Cairn.Server.Tests.Watch;

/// <summary>The requests of a watch stream and the responses they get, as etcd 3.4 answers them.</summary>
public sealed class WatchStreamTests
{
    [Fact]
    public async Task CreatedAckCarriesTheCurrentRevisionThenEachPutComesInItsOwnResponse()
    {
        await using var h = new WatchHarness();
        h.Put("other", "x");
        var client = h.Connect();

        var created = await client.CreateAsync(Request("foo"));
        Assert.Equal(0, created.WatchId);
        Assert.Equal(2, created.Header.Revision);
        Assert.Equal((ClusterId, MemberId, Term), (created.Header.ClusterId, created.Header.MemberId, created.Header.RaftTerm));
        Assert.False(created.Canceled);

        h.Put("foo", "1");
        h.Put("bar", "ignored");
        h.Put("foo", "2");
        var first = await client.NextAsync();
        var second = await client.NextAsync();
        Assert.Equal(3, first.Header.Revision);
        Assert.Equal("PUT foo@3=1", Describe(Assert.Single(first.Events)));
        Assert.Equal(5, second.Header.Revision);
        var e = Assert.Single(second.Events);
        Assert.Equal((3L, 5L, 2L), (e.Kv.CreateRevision, e.Kv.ModRevision, e.Kv.Version));
        Assert.Null(e.PrevKv);
    }

    [Fact]
    public async Task WatchIdsAreAllocatedPerStreamAndClientChosenOnesAreKept()
    {
        await using var h = new WatchHarness();
        var a = h.Connect();
        var b = h.Connect();
        Assert.Equal(0, (await a.CreateAsync(Request("k"))).WatchId);
        Assert.Equal(1, (await a.CreateAsync(Request("k"))).WatchId);
        Assert.Equal(0, (await b.CreateAsync(Request("k"))).WatchId);
        Assert.Equal(7, (await a.CreateAsync(Request("k", id: 7))).WatchId);
        Assert.Equal(2, (await a.CreateAsync(Request("k", id: 2))).WatchId);
        // The next automatic ID skips the ones clients took.
        Assert.Equal(3, (await a.CreateAsync(Request("k"))).WatchId);
    }

    [Fact]
    public async Task ADuplicateClientChosenIdIsRefusedAsEtcdRefusesIt()
    {
        await using var h = new WatchHarness();
        var client = h.Connect();
        await client.CreateAsync(Request("k", id: 5));
        var refused = await client.CreateAsync(Request("k", id: 5));
        Assert.Equal(-1, refused.WatchId);
        Assert.True(refused.Canceled);
        Assert.Equal("mvcc: duplicate watch ID provided on the WatchStream", refused.CancelReason);
        Assert.Equal(1, client.Stream.WatcherCount);
    }

    [Fact]
    public async Task ARangeWhoseEndIsNotAfterItsKeyIsRefused()
    {
        await using var h = new WatchHarness();
        var client = h.Connect();
        var refused = await client.CreateAsync(Request("b", end: "a"));
        Assert.Equal(-1, refused.WatchId);
        Assert.True(refused.Canceled);
        Assert.Equal("mvcc: watcher range is empty", refused.CancelReason);
    }

    [Fact]
    public async Task RangesPrefixesAndFromKeyWatchersSeeExactlyTheirKeys()
    {
        await using var h = new WatchHarness();
        var client = h.Connect();
        await client.CreateAsync(Request("a/", PrefixEnd("a/"), id: 1));
        await client.CreateAsync(Request("b", "\0", id: 2));
        await client.CreateAsync(Request("", "\0", id: 3)); // every key
        await client.CreateAsync(Request("a/x", "a/z", id: 4));

        h.Put("a/x", "1");  // 1, 3, 4
        h.Put("a0", "2");   // 3
        h.Put("c", "3");    // 2, 3
        h.Put("a/z", "4");  // 1, 3

        var got = new List<(long Revision, long Id, string Event)>();
        for (int i = 0; i < 8; i++)
        {
            var r = await client.NextAsync();
            got.Add((r.Header.Revision, r.WatchId, Describe(Assert.Single(r.Events))));
        }
        Assert.Equal(
            ["1:PUT a/x@2=1", "3:PUT a/x@2=1", "4:PUT a/x@2=1", "3:PUT a0@3=2", "2:PUT c@4=3", "3:PUT c@4=3", "1:PUT a/z@5=4", "3:PUT a/z@5=4"],
            got.OrderBy(g => g.Revision).ThenBy(g => g.Id).Select(g => $"{g.Id}:{g.Event}"));
        Assert.Null(await client.NextOrNullAsync(TimeSpan.FromMilliseconds(50)));
    }

    [Fact]
    public async Task AnEmptyKeyIsTheSmallestKey()
    {
        await using var h = new WatchHarness();
        var client = h.Connect();
        await client.CreateAsync(Request("", "\0"));
        h.Put("\0", "zero");
        Assert.Equal("PUT \0@2=zero", Describe(Assert.Single((await client.NextAsync()).Events)));
    }

    [Fact]
    public async Task AllChangesOfOneRevisionComeInOneResponseInTheirOrder()
    {
        await using var h = new WatchHarness();
        h.Put("k2", "old");
        var client = h.Connect();
        await client.CreateAsync(Request("k", PrefixEnd("k")));
        h.Txn(("k1", "a"), ("k2", null), ("k3", "c"));
        var response = await client.NextAsync();
        Assert.Equal(3, response.Header.Revision);
        Assert.Equal(["PUT k1@3=a", "DELETE k2@3", "PUT k3@3=c"], response.Events.Select(Describe));
        var delete = response.Events[1];
        Assert.Equal((0L, 0L), (delete.Kv.CreateRevision, delete.Kv.Version));
    }

    [Fact]
    public async Task FiltersLeaveOutPutsOrDeletesAndAResponseLeftEmptyIsNotSent()
    {
        await using var h = new WatchHarness();
        var client = h.Connect();
        await client.CreateAsync(Request("k", id: 1, filters: FilterType.Noput));
        await client.CreateAsync(Request("k", id: 2, filters: FilterType.Nodelete));
        h.Put("k", "v");
        h.Delete("k");
        var first = await client.NextAsync();
        var second = await client.NextAsync();
        Assert.Equal((2L, "PUT k@2=v"), (first.WatchId, Describe(Assert.Single(first.Events))));
        Assert.Equal((1L, "DELETE k@3"), (second.WatchId, Describe(Assert.Single(second.Events))));
        Assert.Null(await client.NextOrNullAsync(TimeSpan.FromMilliseconds(50)));
    }

    [Fact]
    public async Task PrevKvCarriesTheValueBeforeEachChangeButNotBeforeACreation()
    {
        await using var h = new WatchHarness();
        h.Put("k", "v1");
        var client = h.Connect();
        await client.CreateAsync(Request("k", prevKv: true, id: 1));
        await client.CreateAsync(Request("k", id: 2));
        h.Put("k", "v2");
        h.Delete("k");
        h.Put("k", "v3");
        var responses = new List<WatchResponse>();
        for (int i = 0; i < 6; i++)
        {
            responses.Add(await client.NextAsync());
        }
        var withPrev = responses.Where(r => r.WatchId == 1).Select(r => Assert.Single(r.Events)).ToList();
        Assert.Equal(["v1", "v2", null], withPrev.Select(e => e.PrevKv?.Value.ToStringUtf8()));
        Assert.Equal(2L, withPrev[0].PrevKv.ModRevision);
        Assert.All(responses.Where(r => r.WatchId == 2), r => Assert.Null(Assert.Single(r.Events).PrevKv));
    }

    [Fact]
    public async Task AFutureStartRevisionSkipsEverythingBeforeIt()
    {
        await using var h = new WatchHarness();
        var client = h.Connect();
        var created = await client.CreateAsync(Request("k", start: 4));
        Assert.Equal(1, created.Header.Revision);
        h.Put("k", "2");
        h.Put("k", "3");
        h.Put("k", "4");
        Assert.Equal("PUT k@4=4", Describe(Assert.Single((await client.NextAsync()).Events)));
    }

    [Fact]
    public async Task CancelStopsTheWatcherWithACanceledResponseAndAnUnknownIdGetsNothing()
    {
        await using var h = new WatchHarness();
        var client = h.Connect();
        await client.CreateAsync(Request("k", id: 3));
        await client.CreateAsync(Request("k", id: 4));
        h.Put("k", "1");
        client.Cancel(3);
        client.Cancel(99);
        h.Put("k", "2");
        var responses = new List<WatchResponse>();
        for (int i = 0; i < 4; i++)
        {
            responses.Add(await client.NextAsync());
        }
        Assert.Equal(
            ["3:PUT k@2=1", "4:PUT k@2=1", "3:canceled@2", "4:PUT k@3=2"],
            responses.Select(r => r.Canceled ? $"{r.WatchId}:canceled@{r.Header.Revision}" : $"{r.WatchId}:{Describe(Assert.Single(r.Events))}"));
        Assert.Null(await client.NextOrNullAsync(TimeSpan.FromMilliseconds(50)));
        Assert.Equal(1, client.Stream.WatcherCount);
    }

    [Fact]
    public async Task AProgressRequestIsAnsweredWithWatchIdMinusOneAndTheCurrentRevision()
    {
        await using var h = new WatchHarness();
        var client = h.Connect();
        client.RequestProgress();
        var alone = await client.NextAsync();
        Assert.Equal((-1L, 1L), (alone.WatchId, alone.Header.Revision));
        await client.CreateAsync(Request("k"));
        h.Put("other", "x");
        client.RequestProgress();
        var progress = await client.NextAsync();
        Assert.Equal((-1L, 2L), (progress.WatchId, progress.Header.Revision));
        Assert.Empty(progress.Events);
        Assert.False(progress.Created || progress.Canceled);
    }

    [Fact]
    public async Task WatchersWithProgressNotifyHearTheRevisionWhenIdle()
    {
        await using var h = new WatchHarness(new WatchOptions { ProgressNotifyInterval = TimeSpan.FromMilliseconds(100) });
        var client = h.Connect();
        client.Send(Request("k", id: 1, progressNotify: true));
        client.Send(Request("k", id: 2));
        h.Put("elsewhere", "x");
        // Ticks keep coming while the watcher is idle; each one is for watcher 1 only, at the current revision.
        while (true)
        {
            var r = await client.NextAsync();
            if (r.Created)
            {
                continue;
            }
            Assert.Equal(1, r.WatchId);
            Assert.Empty(r.Events);
            if (r.Header.Revision == 2)
            {
                break;
            }
        }
    }

    [Fact]
    public async Task AFragmentingWatcherGetsALargeRevisionInPiecesAndOthersInOne()
    {
        await using var h = new WatchHarness(new WatchOptions { FragmentBytes = 1000 });
        var client = h.Connect();
        await client.CreateAsync(Request("k", PrefixEnd("k"), id: 1, fragment: true));
        await client.CreateAsync(Request("k", PrefixEnd("k"), id: 2));
        var value = new string('v', 300);
        h.Txn([.. Enumerable.Range(0, 10).Select(i => ($"k{i}", (string?)value))]);

        var pieces = new List<WatchResponse>();
        WatchResponse? whole = null;
        while (whole is null || pieces.Count == 0 || pieces[^1].Fragment)
        {
            var r = await client.NextAsync();
            if (r.WatchId == 2)
            {
                whole = r;
            }
            else
            {
                pieces.Add(r);
            }
        }
        Assert.Equal(10, whole.Events.Count);
        Assert.False(whole.Fragment);
        Assert.True(pieces.Count > 1);
        Assert.All(pieces[..^1], p => Assert.True(p.Fragment));
        Assert.All(pieces, p => Assert.True(p.Events.Count == 1 || p.CalculateSize() < 1000, $"fragment of {p.CalculateSize()} bytes"));
        Assert.Equal(whole.Events, pieces.SelectMany(p => p.Events));
    }

    [Fact]
    public async Task ClosingAStreamRemovesItsWatchers()
    {
        await using var h = new WatchHarness();
        var client = h.Connect();
        await client.CreateAsync(Request("k"));
        await client.CreateAsync(Request("k", start: 1));
        await client.DisposeAsync();
        Assert.Equal((0, 0), h.Hub.WatcherCounts);
    }
}
