using Cairn.Server.Mvcc;
using static Cairn.Bench.Mvcc.MvccBenchSupport;

namespace Cairn.Bench.Mvcc;

/// <summary>Puts per second through the MVCC store alone (in-memory backend, no Raft, no disk).</summary>
public sealed class MvccPutWorkload : IWorkload
{
    public string Name => "mvcc-put";

    public string Description => "MVCC store puts/s: new keys, then overwrites (--keys 1000000 --key-size 8 --value-size 256)";

    public Task<int> RunAsync(string[] args)
    {
        int count = IntOption(args, "--keys", 1_000_000);
        int keySize = IntOption(args, "--key-size", 8);
        var keys = Keys(count, keySize);
        var value = Value(IntOption(args, "--value-size", 256));
        Console.WriteLine($"mvcc-put: {count:N0} keys of {keySize} bytes, values of {value.Length} bytes");
        PrintMachineLoad();

        // Warm up the JIT on a throwaway store.
        using (var warm = new MvccStore(new InMemoryRevisionBackend()))
        {
            for (int i = 0; i < 50_000; i++)
            {
                using var txn = warm.Write();
                txn.Put(keys[i % count], value, 0);
            }
        }

        Console.WriteLine(" in-memory backend (keeps every record):");
        Run(new InMemoryRevisionBackend(), keys, value);
        Console.WriteLine(" backend that discards records (the MVCC layer's own cost):");
        Run(new DiscardingRevisionBackend(), keys, value);
        return Task.FromResult(0);
    }

    private static void Run(IRevisionBackend backend, Google.Protobuf.ByteString[] keys, Google.Protobuf.ByteString value)
    {
        int count = keys.Length;
        using var store = new MvccStore(backend);
        var timer = StartTimer();
        for (int i = 0; i < count; i++)
        {
            using var txn = store.Write();
            txn.Put(keys[i], value, 0);
        }
        Row("put of a new key, one per write transaction", count, timer.Stop());

        var random = new Random(1);
        timer = StartTimer();
        for (int i = 0; i < count; i++)
        {
            using var txn = store.Write();
            txn.Put(keys[random.Next(count)], value, 0);
        }
        Row("put of an existing key, one per write transaction", count, timer.Stop());

        int batches = count / 100;
        timer = StartTimer();
        for (int b = 0; b < batches; b++)
        {
            using var txn = store.Write();
            for (int j = 0; j < 100; j++)
            {
                txn.Put(keys[random.Next(count)], value, 0);
            }
        }
        Row("put of an existing key, 100 per write transaction", batches * 100L, timer.Stop());

        if (backend is InMemoryRevisionBackend)
        {
            // What a restart costs the store: the index rebuilt from every record.
            timer = StartTimer();
            using var reopened = new MvccStore(backend);
            var interval = timer.Stop();
            Console.WriteLine($"  {"reopen: index rebuilt from the records",-52} {interval.Wall.TotalSeconds,10:F2} s wall  {interval.Cpu.TotalSeconds,6:F2} s cpu" +
                $"  ({((InMemoryRevisionBackend)backend).RecordCount:N0} records, {reopened.IndexedKeyCount:N0} keys)");
        }
    }
}
