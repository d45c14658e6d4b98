using Cairn.Protocol.Etcdserverpb;
using Cairn.Protocol.Mvccpb;
using Cairn.Server.Watch;
using static Cairn.Server.Tests.Watch.WatchHarness;

namespace Cairn.Server.Tests.Watch;

/// <summary>Watchers behind the store: replay from the past, compaction, slow clients.</summary>
public sealed class WatchCatchUpTests
{
    /// <summary>No recent history: every replay reads the backend.</summary>
    private static readonly WatchOptions BackendOnly = new() { RecentHistoryRevisions = 1, RecentHistoryBytes = 1 };

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task APastStartRevisionReplaysTheHistoryInOrderThenFollowsNewWrites(bool fromBackend)
    {
        await using var h = new WatchHarness(fromBackend ? BackendOnly : null);
        h.Put("k", "1");         // 2
        h.Put("other", "x");     // 3
        h.Delete("k");           // 4
        h.Put("k", "2");         // 5
        var client = h.Connect();
        var created = await client.CreateAsync(Request("k", start: 2, prevKv: true));
        Assert.Equal(5, created.Header.Revision);
        var replay = await client.EventsUntilAsync(0, 5);
        Assert.Equal(["PUT k@2=1", "DELETE k@4", "PUT k@5=2"], replay.Select(Describe));
        Assert.Equal([null, "1", null], replay.Select(e => e.PrevKv?.Value.ToStringUtf8()));
        h.Put("k", "3");
        var live = await client.NextAsync();
        Assert.Equal("PUT k@6=3", Describe(Assert.Single(live.Events)));
        Assert.Equal("2", live.Events[0].PrevKv.Value.ToStringUtf8());
        Assert.Equal((1, 0), h.Hub.WatcherCounts);
    }

    [Fact]
    public async Task ALongReplayComesInBoundedRoundsWithoutLossOrDuplicate()
    {
        await using var h = new WatchHarness(BackendOnly with { CatchUpReadBytes = 2048, StreamBufferBytes = 4096 });
        for (int i = 0; i < 500; i++)
        {
            h.Put($"k{i % 7}", $"v{i}");
        }
        var client = h.Connect();
        await client.CreateAsync(Request("k", PrefixEnd("k"), start: 1));
        var events = await client.EventsUntilAsync(0, 501);
        Assert.Equal(Enumerable.Range(2, 500).Select(r => (long)r), events.Select(e => e.Kv.ModRevision));
        Assert.Equal(Enumerable.Range(0, 500).Select(i => $"v{i}"), events.Select(e => e.Kv.Value.ToStringUtf8()));
    }

    [Fact]
    public async Task AStartRevisionBelowTheCompactionGetsTheCompactedResponse()
    {
        await using var h = new WatchHarness();
        for (int i = 0; i < 5; i++)
        {
            h.Put("k", $"v{i}");  // 2..6
        }
        await h.CompactAsync(4);
        var client = h.Connect();
        await client.CreateAsync(Request("k", start: 3, id: 1));
        var compacted = await client.NextAsync();
        Assert.Equal(1, compacted.WatchId);
        Assert.True(compacted.Canceled);
        Assert.Equal(4, compacted.CompactRevision);
        Assert.Equal(0, compacted.Header.Revision);
        Assert.Equal(0, client.Stream.WatcherCount);

        // At the compaction revision itself the history is still there.
        await client.CreateAsync(Request("k", start: 4, id: 2));
        Assert.Equal(["PUT k@4=v2", "PUT k@5=v3", "PUT k@6=v4"], (await client.EventsUntilAsync(2, 6)).Select(Describe));
    }

    [Fact]
    public async Task ASlowStreamNeverHoldsUpWritesOrOtherStreamsAndLaterGetsEveryEventOnce()
    {
        await using var h = new WatchHarness(new WatchOptions { StreamBufferBytes = 2048, RecentHistoryRevisions = 16 });
        var slow = h.Connect();
        var fast = h.Connect();
        await slow.CreateAsync(Request("k", PrefixEnd("k")));
        await fast.CreateAsync(Request("k", PrefixEnd("k")));
        slow.PauseReading();
        long last = 0;
        for (int i = 0; i < 300; i++)
        {
            last = h.Put($"k{i % 3}", new string('x', 100) + i);
            // The fast client keeps up, event by event, while the slow one reads nothing.
            Assert.Equal(last, Assert.Single((await fast.NextAsync()).Events).Kv.ModRevision);
        }
        // What the slow stream holds stays within its buffer (plus the one response in the writer's hands).
        Assert.True(slow.Stream.QueuedBytes <= 2048 + 1024, $"{slow.Stream.QueuedBytes} bytes queued");
        Assert.True(h.Hub.WatcherCounts.Unsynced == 1);

        slow.ResumeReading();
        var events = await slow.EventsUntilAsync(0, last);
        Assert.Equal(Enumerable.Range(2, 300).Select(r => (long)r), events.Select(e => e.Kv.ModRevision));
        await WaitUntil(() => h.Hub.WatcherCounts == (2, 0));
    }

    [Fact]
    public async Task WritesNeverWaitForWhoeverHoldsTheHubAndTheirEventsFollowInOrder()
    {
        // The raft term is asked for under the hub's lock whenever a header is made: blocking
        // there holds the lock, as a long catch-up round would.
        using var holding = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        int block = 0;
        ulong Term()
        {
            if (Volatile.Read(ref block) == 1)
            {
                holding.Set();
                release.Wait(TimeSpan.FromSeconds(60));
            }
            return WatchHarness.Term;
        }
        await using var h = new WatchHarness(term: Term);
        var client = h.Connect();
        await client.CreateAsync(Request("k"));
        var other = h.Connect();
        Volatile.Write(ref block, 1);
        var creating = Task.Run(() => other.Send(Request("x")));
        Assert.True(holding.Wait(TimeSpan.FromSeconds(20)), "the lock was never taken");

        // The test thread plays the apply loop: its writes complete while the lock is held.
        var writes = Task.Run(() => new[] { h.Put("k", "v0"), h.Put("x", "v1"), h.Put("k", "v2") });
        Assert.True(await Task.WhenAny(writes, Task.Delay(TimeSpan.FromSeconds(20))) == writes, "a write waited for the hub's lock");
        Assert.Equal(new long[] { 2, 3, 4 }, await writes);

        Volatile.Write(ref block, 0);
        release.Set();
        await creating.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(["PUT k@2=v0", "PUT k@4=v2"], (await client.EventsUntilAsync(0, 4)).Select(Describe));
        // The watcher whose creation held the lock was created before the writes were handed
        // over, so it gets the one on its key.
        var created = await other.NextAsync();
        Assert.True(created.Created);
        Assert.Equal(1, created.Header.Revision);
        Assert.Equal(["PUT x@3=v1"], (await other.EventsUntilAsync(0, 3)).Select(Describe));
        Assert.Equal(4, h.Hub.Revision);
    }

    [Fact]
    public async Task EventsOfARunOfWritesGoOutWhenTheRunEndsOrWhenAWatcherIsCreated()
    {
        await using var h = new WatchHarness();
        var client = h.Connect();
        await client.CreateAsync(Request("k"));
        h.Hub.BeginBatch();
        h.Put("k", "v0");
        h.Put("k", "v1");
        Assert.Equal(0, client.Stream.QueuedBytes); // held: nothing queued yet

        // A watcher created meanwhile starts after the writes applied before it.
        var other = h.Connect();
        Assert.Equal(3, (await other.CreateAsync(Request("k"))).Header.Revision);
        Assert.Equal(["PUT k@2=v0", "PUT k@3=v1"], (await client.EventsUntilAsync(0, 3)).Select(Describe));

        h.Put("k", "v2");
        Assert.Equal(0, client.Stream.QueuedBytes);
        h.Hub.EndBatch();
        Assert.Equal(["PUT k@4=v2"], (await client.EventsUntilAsync(0, 4)).Select(Describe));
        Assert.Equal(["PUT k@4=v2"], (await other.EventsUntilAsync(0, 4)).Select(Describe));
    }

    [Fact]
    public async Task ALongRunOfWritesIsNotHeldWhole()
    {
        await using var h = new WatchHarness();
        var client = h.Connect();
        await client.CreateAsync(Request("k"));
        h.Hub.BeginBatch();
        for (int i = 0; i < 1024; i++)
        {
            h.Put("k", $"v{i}");
        }
        // Without the run's end, every write of it reaches the watcher.
        var events = await client.EventsUntilAsync(0, 1025);
        Assert.Equal(Enumerable.Range(2, 1024).Select(r => (long)r), events.Select(e => e.Kv.ModRevision));
        h.Hub.EndBatch();
    }

    [Fact]
    public async Task AProgressRequestWaitsUntilEveryWatcherOfTheStreamHasCaughtUp()
    {
        await using var h = new WatchHarness(BackendOnly with { CatchUpReadBytes = 512, StreamBufferBytes = 1024 });
        for (int i = 0; i < 200; i++)
        {
            h.Put("k", $"v{i}");
        }
        var client = h.Connect();
        await client.CreateAsync(Request("k", start: 1));
        client.RequestProgress();
        long seen = 0;
        while (true)
        {
            var r = await client.NextAsync();
            if (r.WatchId == -1)
            {
                Assert.Empty(r.Events);
                Assert.Equal(201, r.Header.Revision);
                Assert.Equal(201, seen);
                break;
            }
            seen = r.Events[^1].Kv.ModRevision;
        }
    }

    [Fact]
    public async Task AStreamWhoseClientStopsReadingIsCut()
    {
        await using var h = new WatchHarness(new WatchOptions { StalledStreamTimeout = TimeSpan.FromMilliseconds(200), StreamBufferBytes = 1024 });
        var client = h.Connect();
        await client.CreateAsync(Request("k"));
        client.PauseReading();
        h.Put("k", "v");
        await client.Cut.Task.WaitAsync(TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task CompactionDuringACatchUpLosesAndRepeatsNothing()
    {
        // The watcher reads in small rounds while compactions pass it: it either gets every
        // event from its start, or a prefix of them and then the compacted response.
        await using var h = new WatchHarness(BackendOnly with { CatchUpReadBytes = 256, StreamBufferBytes = 512 });
        for (int i = 0; i < 300; i++)
        {
            h.Put($"k{i % 5}", $"v{i}");
        }
        var client = h.Connect();
        await client.CreateAsync(Request("k", PrefixEnd("k"), start: 2));
        var events = new List<Event>();
        long compactedAt = 0;
        var reading = Task.Run(async () =>
        {
            while (true)
            {
                var r = await client.NextAsync();
                if (r.CompactRevision != 0)
                {
                    compactedAt = r.CompactRevision;
                    return;
                }
                events.AddRange(r.Events);
                if (events.Count > 0 && events[^1].Kv.ModRevision == 301)
                {
                    return;
                }
            }
        });
        for (long c = 20; c <= 300 && !reading.IsCompleted; c += 20)
        {
            await h.CompactAsync(c);
        }
        await reading.WaitAsync(TimeSpan.FromSeconds(30));
        long expectedEnd = compactedAt == 0 ? 301 : 1 + events.Count;
        Assert.Equal(Enumerable.Range(2, (int)(expectedEnd - 1)).Select(r => (long)r), events.Select(e => e.Kv.ModRevision));
        if (compactedAt != 0)
        {
            Assert.True(events.Count + 2 < compactedAt, $"compacted at {compactedAt} after {events.Count} events");
        }
    }

    [Fact]
    public async Task WatchersCatchingUpTogetherGetWholeResponsesEachAndEveryEventOnce()
    {
        const int buffer = 64 * 1024, watchers = 40, perKey = 100;
        await using var h = new WatchHarness(new WatchOptions { StreamBufferBytes = buffer });
        for (int i = 0; i < watchers * perKey; i++)
        {
            h.Put($"k{i % watchers:D2}", new string('x', 100) + i);
        }
        var client = h.Connect();
        await client.CreateAsync(Request("z", id: 100));
        client.PauseReading();
        // Over half full: catch-up leaves the stream alone, so the watchers created now wait
        // together and are served in batches once the client reads again.
        while (client.Stream.QueuedBytes <= buffer / 2)
        {
            h.Put("z", new string('z', 100));
        }
        for (int k = 0; k < watchers; k++)
        {
            client.Send(Request($"k{k:D2}", start: 1, id: k + 1));
        }
        client.ResumeReading();
        var received = new Dictionary<long, List<long>>();
        var firsts = new List<int>();
        while (received.Values.Sum(r => r.Count) < watchers * perKey)
        {
            var response = await client.NextAsync();
            if (response.Created || response.WatchId == 100)
            {
                continue;
            }
            Assert.False(response.Canceled);
            if (!received.TryGetValue(response.WatchId, out var list))
            {
                received[response.WatchId] = list = [];
                firsts.Add(response.Events.Count);
            }
            list.AddRange(response.Events.Select(e => e.Kv.ModRevision));
        }
        // Each watcher's backlog (about 13 KiB) fits the least share a batch gives: it comes
        // whole, not a revision or two per round (the stream's room divided forty ways).
        Assert.All(firsts, count => Assert.Equal(perKey, count));
        Assert.Equal(watchers, received.Count);
        foreach (var (id, revisions) in received)
        {
            // Watcher id watches k{id-1}, written at revisions id+1, id+1+40, ...
            Assert.Equal(Enumerable.Range(0, perKey).Select(j => id + 1 + (j * watchers)), revisions);
        }
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not reached in time");
            await Task.Delay(10);
        }
    }
}
