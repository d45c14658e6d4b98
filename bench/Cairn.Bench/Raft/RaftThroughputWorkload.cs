using System.Diagnostics;
using Google.Protobuf;

namespace Cairn.Bench.Raft;

/// <summary>
/// Drives a 3-member in-memory cluster through the Raft core alone with 256-byte proposals and
/// reports committed entries per second and bytes allocated per committed entry.
/// Usage: raft [entries per batch size (default 1000000)] [batch sizes (default 1,16,256,1024)]
/// </summary>
public sealed class RaftThroughputWorkload : IWorkload
{
    public string Name => "raft";

    public string Description => "Raft core, 3 members in process: committed entries/s and bytes/entry (256-byte proposals)";

    public Task<int> RunAsync(string[] args)
    {
        var entries = args.Length > 0 ? long.Parse(args[0]) : 1_000_000;
        var batches = args.Length > 1 ? args[1].Split(',').Select(int.Parse).ToArray() : [1, 16, 256, 1024];
        // One payload shared by every proposal: what is measured is the core's own allocation.
        var payload = UnsafeByteOperations.UnsafeWrap(Enumerable.Range(0, 256).Select(i => (byte)i).ToArray());

        Console.WriteLine($"Raft core, 3 members in one process, 256-byte proposals, {entries:N0} entries per row " +
                          $"(.NET {Environment.Version}, {Environment.ProcessorCount} cores)");
        Console.WriteLine($"{"batch",6} {"entries/s",12} {"bytes/entry",12} {"gen0",6} {"gen1",6} {"gen2",6}");
        foreach (var batch in batches)
        {
            // Warm up (JIT, tiered compilation, pools) on a separate cluster.
            Measure(new InMemoryRaftCluster(3, 10_000), payload, batch, Math.Min(entries / 4, 200_000));
            var (rate, perEntry, g0, g1, g2) = Measure(new InMemoryRaftCluster(3, 10_000), payload, batch, entries);
            Console.WriteLine($"{batch,6} {rate,12:N0} {perEntry,12:N1} {g0,6} {g1,6} {g2,6}");
        }
        return Task.FromResult(0);
    }

    private static (double Rate, double BytesPerEntry, int Gen0, int Gen1, int Gen2) Measure(
        InMemoryRaftCluster cluster, ByteString payload, int batch, long entries)
    {
        var proposals = Enumerable.Repeat(payload, batch).ToArray();
        var leader = cluster.Leader;
        var start = cluster.LeaderApplied;
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var g0 = GC.CollectionCount(0);
        var g1 = GC.CollectionCount(1);
        var g2 = GC.CollectionCount(2);
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var sw = Stopwatch.StartNew();
        long proposed = 0;
        while (proposed < entries)
        {
            if (batch == 1)
            {
                leader.Propose(payload);
            }
            else
            {
                leader.ProposeBatch(proposals);
            }
            proposed += batch;
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
