using Cairn.Protocol.Etcdserverpb;
using Cairn.Protocol.Mvccpb;
using Cairn.Server.Mvcc;
using Google.Protobuf;
using FilterType = Cairn.Protocol.Etcdserverpb.WatchCreateRequest.Types.FilterType;

namespace Cairn.Server.Tests.Watch;

/// <summary>
/// The history the writers made (every revision's events, with the value before each change),
/// and what a watcher must therefore have received: the oracle of the property tests.
/// </summary>
internal sealed class WatchHistory
{
    private readonly SortedDictionary<long, List<Event>> _revisions = [];
    private readonly object _gate = new();

    public void Add(long revision, IEnumerable<Event> events)
    {
        lock (_gate)
        {
            Assert.True(_revisions.TryAdd(revision, [.. events]), $"revision {revision} recorded twice");
        }
    }

    public bool HasDelete(long revision)
    {
        lock (_gate)
        {
            return _revisions.TryGetValue(revision, out var events) && events.Any(e => e.Type == Event.Types.EventType.Delete);
        }
    }

    /// <summary>The newest recorded revision at or below <paramref name="max"/> that holds no delete, 0 when none.</summary>
    public long RecordedRevisionWithoutDelete(long max)
    {
        lock (_gate)
        {
            return _revisions.Where(r => r.Key <= max && r.Value.All(e => e.Type != Event.Types.EventType.Delete))
                .Select(r => r.Key).DefaultIfEmpty(0).Max();
        }
    }

    /// <summary>The events a watcher created by <paramref name="request"/> must get, from <paramref name="from"/> on.</summary>
    public List<Event> Expected(WatchCreateRequest request, long from)
    {
        var range = KeyRange.FromRequest(request.Key.IsEmpty ? new byte[] { 0 } : request.Key.ToByteArray(), request.RangeEnd.ToByteArray());
        bool noPut = request.Filters.Contains(FilterType.Noput);
        bool noDelete = request.Filters.Contains(FilterType.Nodelete);
        lock (_gate)
        {
            return _revisions.Where(r => r.Key >= from)
                .SelectMany(r => r.Value)
                .Where(e => range.Contains(e.Kv.Key.Span))
                .Where(e => e.Type == Event.Types.EventType.Put ? !noPut : !noDelete)
                .Select(e => request.PrevKv ? e : new Event { Type = e.Type, Kv = e.Kv })
                .ToList();
        }
    }

    /// <summary>
    /// Checks what one watcher received against the history: events in revision order, each
    /// exactly once, every event of a revision in one response; all expected events if it was
    /// not compacted, a prefix of them below the compaction revision if it was. A prev_kv may be
    /// missing only where compaction removed it (the event's previous revision was compacted).
    /// </summary>
    public void Check(string watcher, WatchCreateRequest request, long from, List<WatchResponse> received, long compactedAtEnd)
    {
        var expected = Expected(request, from);
        var events = received.SelectMany(r => r.Events).ToList();
        var compacted = received.FirstOrDefault(r => r.CompactRevision != 0);
        var perRevision = received.Where(r => r.Events.Count > 0)
            .SelectMany((r, i) => r.Events.Select(e => (Response: i, e.Kv.ModRevision)))
            .GroupBy(x => x.ModRevision)
            .Where(g => g.Select(x => x.Response).Distinct().Count() > 1)
            .Select(g => g.Key)
            .ToList();
        Assert.True(perRevision.Count == 0, $"{watcher}: revisions split over responses: {string.Join(",", perRevision)}");
        if (compacted is null)
        {
            Assert.True(events.Count == expected.Count, $"{watcher}: got {events.Count} events, expected {expected.Count}\n{Diff(expected, events)}\n{Responses(received)}");
        }
        else
        {
            Assert.True(events.Count <= expected.Count, $"{watcher}: more events than expected\n{Diff(expected, events)}");
            long lastRevision = events.Count == 0 ? 0 : events[^1].Kv.ModRevision;
            Assert.True(lastRevision < compacted.CompactRevision, $"{watcher}: compacted at {compacted.CompactRevision} after an event at {lastRevision}");
        }
        for (int i = 0; i < events.Count; i++)
        {
            var got = events[i];
            var want = expected[i];
            Assert.True(got.Type == want.Type && got.Kv.Equals(want.Kv), $"{watcher}: event {i} differs\n{Diff(expected, events)}");
            if (want.PrevKv is null || got.PrevKv is not null)
            {
                Assert.True(Equals(got.PrevKv, want.PrevKv), $"{watcher}: prev_kv of event {i} ({WatchHarness.Describe(got)}): {got.PrevKv} vs {want.PrevKv}");
            }
            else
            {
                Assert.True(got.Kv.ModRevision - 1 < compactedAtEnd, $"{watcher}: prev_kv missing at {WatchHarness.Describe(got)}");
            }
        }
    }

    private static string Responses(List<WatchResponse> received) =>
        string.Join("\n", received.Take(12).Select(r => $"  rev {r.Header.Revision} compact {r.CompactRevision} canceled {r.Canceled}: {string.Join(" ", r.Events.Select(WatchHarness.Describe))}"));

    private static string Diff(List<Event> expected, List<Event> got) =>
        "expected: " + string.Join(" ", expected.Take(40).Select(WatchHarness.Describe)) +
        "\n     got: " + string.Join(" ", got.Take(40).Select(WatchHarness.Describe));

    /// <summary>Keys of a small key space, so that watchers and writers meet often.</summary>
    public static string Key(Random random) => $"k/{random.Next(6)}/{random.Next(3)}";

    /// <summary>A watcher of one key, a prefix or everything from a key on, with random options.</summary>
    public static WatchCreateRequest RandomRequest(Random random, long start)
    {
        string prefix = $"k/{random.Next(6)}/";
        var request = random.Next(3) switch
        {
            0 => WatchHarness.Request(Key(random), start: start),
            1 => WatchHarness.Request(prefix, WatchHarness.PrefixEnd(prefix), start: start),
            _ => WatchHarness.Request(prefix, "\0", start: start),
        };
        request.PrevKv = random.Next(3) == 0;
        if (random.Next(5) == 0)
        {
            request.Filters.Add(random.Next(2) == 0 ? FilterType.Noput : FilterType.Nodelete);
        }
        return request;
    }

    public static ByteString Bytes(string s) => ByteString.CopyFromUtf8(s);
}
