using System.Buffers.Binary;
using Cairn.Server.Mvcc;
using Google.Protobuf;
using static Cairn.Bench.Mvcc.MvccBenchSupport;

namespace Cairn.Bench.Mvcc;

/// <summary>Ranges per second through the MVCC store alone, with and without a concurrent writer.</summary>
public sealed class MvccRangeWorkload : IWorkload
{
    public string Name => "mvcc-range";

    public string Description => "MVCC store ranges/s: point gets, ~100-key ranges, count over all, reads during writes (--keys 1000000)";

    public async Task<int> RunAsync(string[] args)
    {
        int count = IntOption(args, "--keys", 1_000_000);
        int seconds = IntOption(args, "--seconds", 3);
        var keys = Keys(count, 8);
        var value = Value(IntOption(args, "--value-size", 256));
        using var store = new MvccStore(new InMemoryRevisionBackend());
        for (int i = 0; i < count; i += 1000)
        {
            using var txn = store.Write();
            for (int j = i; j < Math.Min(count, i + 1000); j++)
            {
                txn.Put(keys[j], value, 0);
            }
        }
        Console.WriteLine($"mvcc-range: {count:N0} keys of 8 bytes, values of {value.Length} bytes, {seconds}s per row");
        PrintMachineLoad();

        // The keys are spread evenly over 64-bit values: a span of 100 * 2^64 / count holds ~100.
        ulong span = ulong.MaxValue / (ulong)count * 100;
        Measure("get one key, 1 reader", seconds, 1, r => Get(store, keys[r.Next(count)]));
        Measure("get one key, 2 readers", seconds, 2, r => Get(store, keys[r.Next(count)]));
        Measure("range of ~100 keys, 1 reader", seconds, 1, r =>
        {
            ulong from = (ulong)r.NextInt64() * 2;
            var end = new byte[8];
            BinaryPrimitives.WriteUInt64BigEndian(end, from + Math.Min(span, ulong.MaxValue - from));
            var start = new byte[8];
            BinaryPrimitives.WriteUInt64BigEndian(start, from);
            store.Read().Range(KeyRange.Between(start, end), default);
        });
        Measure("count all keys, 1 reader", seconds, 1, _ =>
            store.Read().Range(KeyRange.From(new byte[] { 0 }), new RangeOptions(CountOnly: true)));

        // One writer putting as fast as it can while one reader gets.
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        long writes = 0;
        var writer = Task.Run(() =>
        {
            var r = new Random(7);
            while (!stop.IsCancellationRequested)
            {
                using var txn = store.Write();
                txn.Put(keys[r.Next(count)], value, 0);
                writes++;
            }
        });
        Measure("get one key while a writer puts (both counted)", seconds, 1, r => Get(store, keys[r.Next(count)]), () => writes);
        await writer;
        return 0;
    }

    private static RangeResult Get(MvccStore store, ByteString key) =>
        store.Read().Range(KeyRange.Single(key.Memory), default);

    private static void Measure(string name, int seconds, int threads, Action<Random> operation, Func<long>? others = null)
    {
        long total = 0;
        long othersBefore = others?.Invoke() ?? 0;
        var timer = StartTimer();
        var until = System.Diagnostics.Stopwatch.GetTimestamp() + seconds * System.Diagnostics.Stopwatch.Frequency;
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            var random = new Random(t + 1);
            long done = 0;
            while (System.Diagnostics.Stopwatch.GetTimestamp() < until)
            {
                for (int i = 0; i < 16; i++)
                {
                    operation(random);
                }
                done += 16;
            }
            Interlocked.Add(ref total, done);
        })).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => w.Join());
        var interval = timer.Stop();
        Row(name, total, interval);
        if (others is not null)
        {
            Row("  ... the writer's puts meanwhile", others() - othersBefore, interval);
        }
    }
}
