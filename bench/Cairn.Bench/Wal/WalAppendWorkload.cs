using System.Diagnostics;
using System.Globalization;
using Cairn.Protocol.Raftpb;
using Cairn.Storage.Wal;
using Google.Protobuf;

namespace Cairn.Bench.Wal;

/// <summary>
/// WAL appends as the server makes them: batches of entries with a hard state, one fdatasync per
/// batch. The same workload runs through etcd's Go WAL in bench/go/walbench; bench/wal.sh runs both.
/// </summary>
public sealed class WalAppendWorkload : IWorkload
{
    public string Name => "wal-append";

    public string Description => "WAL Save of --entries entries of --size bytes in batches of --batch, one fsync per batch (--dir, --no-fsync, --warmup seconds)";

    public Task<int> RunAsync(string[] args)
    {
        int batch = Option(args, "--batch", 1);
        int total = Option(args, "--entries", 2000);
        int size = Option(args, "--size", 256);
        string parent = OptionText(args, "--dir") ?? Path.GetTempPath();
        bool noFsync = args.Contains("--no-fsync");
        double warmup = OptionText(args, "--warmup") is { } w ? double.Parse(w, CultureInfo.InvariantCulture) : 1.5;
        string dir = Path.Combine(parent, $"cairn-walbench-{Environment.ProcessId}");
        if (Directory.Exists(dir))
        {
            Directory.Delete(dir, recursive: true);
        }

        var data = ByteString.CopyFrom(Enumerable.Range(0, size).Select(i => (byte)i).ToArray());
        // Go has no JIT: measure .NET at steady state too, once the hot path reached tier 1. The
        // warm-up paces itself so that it leaves little dirty data behind to compete with the
        // measured fsyncs.
        if (warmup > 0)
        {
            Append(dir + ".warmup", data, batch: 10, total: int.MaxValue, noFsync: true, TimeSpan.FromSeconds(warmup), pause: TimeSpan.FromMilliseconds(1));
        }
        var elapsed = Append(dir, data, batch, total, noFsync, TimeSpan.MaxValue, pause: TimeSpan.Zero);
        double seconds = elapsed.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"impl=cairn fsync={(noFsync ? "no" : "yes")} batch={batch} entries={total} size={size} seconds={seconds:F3} entries_per_s={total / seconds:F0} mb_per_s={total * (double)size / seconds / 1e6:F2} syncs_per_s={Math.Ceiling(total / (double)batch) / seconds:F0}"));
        return Task.FromResult(0);
    }

    // Appends until `total` entries or `limit` time, whichever first; returns the time taken.
    private static TimeSpan Append(string dir, ByteString data, int batch, int total, bool noFsync, TimeSpan limit, TimeSpan pause)
    {
        try
        {
            using var wal = WriteAheadLog.Create(dir, "walbench-metadata"u8.ToArray(), new WalOptions { UnsafeNoFsync = noFsync });
            var entries = new List<Entry>(batch);
            var clock = Stopwatch.StartNew();
            ulong index = 0;
            while (index < (ulong)total && clock.Elapsed < limit)
            {
                entries.Clear();
                for (int i = 0; i < batch && index < (ulong)total; i++)
                {
                    index++;
                    entries.Add(Entry.Of(1, index, EntryType.EntryNormal, data));
                }
                wal.Save(HardState.Of(1, 1, index), entries);
                if (pause > TimeSpan.Zero)
                {
                    Thread.Sleep(pause);
                }
            }
            return clock.Elapsed;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static int Option(string[] args, string name, int fallback) =>
        OptionText(args, name) is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;

    private static string? OptionText(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
