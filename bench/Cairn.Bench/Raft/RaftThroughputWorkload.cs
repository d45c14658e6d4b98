using System.Diagnostics;
using Google.Protobuf;

namespace Cairn.Bench.Raft;

/// <summary>
/// Drives a 3-member in-memory cluster through the Raft core alone with 256-byte proposals and
/// reports committed entries per second and bytes allocated per committed entry.
/// Usage: raft [entries per row (default 1000000)]
/// </summary>
public sealed class RaftThroughputWorkload : IWorkload
{
    public string Name => "raft";

    public string Description => "Raft core, 3 members in process: committed entries/s and bytes/entry (256-byte proposals)";

    /// <summary>One way of feeding proposals: how many per round, and whether as one batch.</summary>
    private sealed record Feed(string Label, int PerRound, bool Batched);

    private static readonly Feed[] Feeds =
    [
        new("Propose, 1 per round", 1, false),
        new("Propose, 64 per round", 64, false),
        new("ProposeBatch of 16", 16, true),
        new("ProposeBatch of 256", 256, true),
        new("ProposeBatch of 1024", 1024, true),
    ];

    public Task<int> RunAsync(string[] args)
    {
        var entries = args.Length > 0 ? long.Parse(args[0]) : 1_000_000;
        // One payload shared by every proposal: what is measured is the core's own allocation.
        var payload = UnsafeByteOperations.UnsafeWrap(Enumerable.Range(0, 256).Select(i => (byte)i).ToArray());

        Console.WriteLine($"Raft core, 3 members in one process, 256-byte proposals, {entries:N0} entries per row " +
                          $"(.NET {Environment.Version}, {Environment.ProcessorCount} cores)");
        Console.WriteLine("A round: the proposals, then messages delivered and Readies handled until the cluster is quiet.");
        Console.WriteLine($"{"feed",-24} {"entries/s",12} {"bytes/entry",12} {"gen0",6} {"gen1",6} {"gen2",6}");
        foreach (var feed in Feeds)
        {
            // Warm up (JIT, tiered compilation) on a separate cluster.
            Measure(feed, payload, Math.Min(entries / 4, 200_000));
            var r = Measure(feed, payload, entries);
            Console.WriteLine($"{feed.Label,-24} {r.Rate,12:N0} {r.BytesPerEntry,12:N1} {r.Gen0,6} {r.Gen1,6} {r.Gen2,6}");
        }
        return Task.FromResult(0);
    }

    private static (double Rate, double BytesPerEntry, int Gen0, int Gen1, int Gen2) Measure(Feed feed, ByteString payload, long entries)
    {
        var cluster = new InMemoryRaftCluster(3, compactEvery: 10_000);
        var proposals = Enumerable.Repeat(payload, feed.PerRound).ToArray();
        var leader = cluster.Leader;
        var start = cluster.LeaderApplied;
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var (g0, g1, g2) = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var sw = Stopwatch.StartNew();
        long proposed = 0;
        while (proposed < entries)
        {
            if (feed.Batched)
            {
                leader.ProposeBatch(proposals);
            }
            else
            {
                for (var i = 0; i < feed.PerRound; i++)
                {
                    leader.Propose(payload);
                }
            }
            proposed += feed.PerRound;
            cluster.Pump();
        }
        sw.Stop();
        var committed = cluster.LeaderApplied - start;
        if (committed < (ulong)proposed)
        {
            throw new InvalidOperationException($"only {committed} of {proposed} proposals committed");
        }
        var bytes = GC.GetTotalAllocatedBytes(precise: true) - allocated;
        return (committed / sw.Elapsed.TotalSeconds, (double)bytes / committed,
            GC.CollectionCount(0) - g0, GC.CollectionCount(1) - g1, GC.CollectionCount(2) - g2);
    }
}
