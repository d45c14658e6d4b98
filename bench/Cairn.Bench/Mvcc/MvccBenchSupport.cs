using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using Cairn.Server.Mvcc;
using Google.Protobuf;

namespace Cairn.Bench.Mvcc;

/// <summary>Shared pieces of the MVCC workloads: keys, options, timing, a backend that keeps nothing.</summary>
internal static class MvccBenchSupport
{
    public static int IntOption(string[] args, string name, int fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }

    /// <summary>Distinct keys of <paramref name="size"/> bytes (at least 8): a scrambled counter, so inserts land all over the tree.</summary>
    public static ByteString[] Keys(int count, int size)
    {
        var keys = new ByteString[count];
        for (int i = 0; i < count; i++)
        {
            var key = new byte[size];
            // Multiplying by an odd constant permutes 64-bit values: distinct, spread out.
            BinaryPrimitives.WriteUInt64BigEndian(key, (ulong)i * 0x9E3779B97F4A7C15UL);
            keys[i] = UnsafeByteOperations.UnsafeWrap(key);
        }
        return keys;
    }

    public static ByteString Value(int size) => ByteString.CopyFrom(new byte[size]);

    public static double Rate(long operations, Stopwatch watch) => operations / watch.Elapsed.TotalSeconds;

    public static void Row(string what, double perSecond, string unit = "ops/s") =>
        Console.WriteLine($"  {what,-52} {perSecond,14:N0} {unit}");

    /// <summary>
    /// Prints operations per second of wall time and per second of this process's CPU time. On
    /// a shared machine the second is the steadier figure: it does not count time spent waiting
    /// for a core.
    /// </summary>
    public static void Row(string what, long operations, Interval interval) =>
        Console.WriteLine($"  {what,-52} {operations / interval.Wall.TotalSeconds,12:N0} ops/s  {operations / interval.Cpu.TotalSeconds,12:N0} ops/cpu-s");

    public readonly record struct Interval(TimeSpan Wall, TimeSpan Cpu);

    /// <summary>Starts timing; dispose-free: call <see cref="Timer.Stop"/>.</summary>
    public static Timer StartTimer() => new(Stopwatch.GetTimestamp(), Process.GetCurrentProcess().TotalProcessorTime);

    public readonly record struct Timer(long StartTicks, TimeSpan StartCpu)
    {
        public Interval Stop() => new(
            Stopwatch.GetElapsedTime(StartTicks),
            Process.GetCurrentProcess().TotalProcessorTime - StartCpu);
    }

    /// <summary>
    /// Prints the machine's load and a yardstick: CPU time of one random lookup in a 1M-entry
    /// Dictionary&lt;long, long&gt; (tens of ns on an idle machine). Rows measured on a busy
    /// machine can be scaled by it.
    /// </summary>
    public static void PrintMachineLoad()
    {
        string load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "unknown";
        var map = new Dictionary<long, long>();
        for (long i = 0; i < 1_000_000; i++)
        {
            map[i * 7919] = i;
        }
        var random = new Random(1);
        long sum = 0;
        var timer = StartTimer();
        for (int i = 0; i < 2_000_000; i++)
        {
            sum += map[random.Next(1_000_000) * 7919L];
        }
        var interval = timer.Stop();
        GC.KeepAlive(sum);
        Console.WriteLine($"  ({Environment.ProcessorCount} cores, load average {load}; yardstick: a random lookup in a 1M Dictionary " +
            $"takes {interval.Cpu.TotalNanoseconds / 2_000_000:F0} ns of CPU)");
    }

    /// <summary>Managed heap in use after a full, compacting collection.</summary>
    public static long SettledHeap()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}

/// <summary>
/// A backend that keeps no records: what remains in memory is the MVCC store's own (the index),
/// which is what the memory workload measures. Reads find nothing.
/// </summary>
internal sealed class DiscardingRevisionBackend : IRevisionBackend, IRevisionWriter
{
    public IRevisionWriter BeginWrite() => this;

    public void ReadRecords(ReadOnlySpan<Revision> revisions, RevisionRecordReader reader)
    {
    }

    public void ScanRecords(Revision from, Revision to, RevisionRecordVisitor visitor)
    {
    }

    public CompactionMarks ReadCompactionMarks() => CompactionMarks.None;

    public void ForceCommit()
    {
    }

    public void PutRecord(Revision revision, bool isTombstone, ReadOnlySpan<byte> keyValue)
    {
    }

    public void DeleteRecord(Revision revision, bool isTombstone)
    {
    }

    public void WriteScheduledCompaction(long revision)
    {
    }

    public void WriteFinishedCompaction(long revision)
    {
    }

    public void Dispose()
    {
    }
}
