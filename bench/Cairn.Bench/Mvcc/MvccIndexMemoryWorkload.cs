using Cairn.Server.Mvcc;
using static Cairn.Bench.Mvcc.MvccBenchSupport;

namespace Cairn.Bench.Mvcc;

/// <summary>
/// Bytes of managed memory the MVCC store keeps per key (the index: values stay in the backend),
/// at 1M keys: after one put each, after a second put each, after compacting back to one.
/// </summary>
public sealed class MvccIndexMemoryWorkload : IWorkload
{
    public string Name => "mvcc-index-memory";

    public string Description => "MVCC index bytes per key at 1M keys (--keys 1000000 --key-size 8)";

    public async Task<int> RunAsync(string[] args)
    {
        int count = IntOption(args, "--keys", 1_000_000);
        int keySize = IntOption(args, "--key-size", 8);
        var keys = Keys(count, keySize);
        var value = Value(0);
        Console.WriteLine($"mvcc-index-memory: {count:N0} keys of {keySize} bytes");

        long baseline = SettledHeap();
        var store = new MvccStore(new DiscardingRevisionBackend(), options: new MvccStoreOptions { CompactionBatchInterval = TimeSpan.Zero });
        PutAll(store, keys, value);
        Row("one revision per key", (SettledHeap() - baseline) / (double)count, "bytes/key");
        PutAll(store, keys, value);
        Row("two revisions per key", (SettledHeap() - baseline) / (double)count, "bytes/key");
        await store.Compact(store.CurrentRevision).Physical;
        Row("after compaction (one revision per key)", (SettledHeap() - baseline) / (double)count, "bytes/key");
        Console.WriteLine($"  keys in the index: {store.IndexedKeyCount:N0}, revision {store.CurrentRevision:N0}");
        Console.WriteLine($"  ({24 + ((keySize + 7) & ~7)} bytes/key of that is the key's own byte array)");
        // The workload's own keys were allocated before the baseline: keep them alive to the end,
        // or their collection midway is subtracted from the store's figure.
        GC.KeepAlive(keys);
        GC.KeepAlive(store);
        store.Dispose();
        return 0;
    }

    private static void PutAll(MvccStore store, Google.Protobuf.ByteString[] keys, Google.Protobuf.ByteString value)
    {
        for (int i = 0; i < keys.Length; i += 1000)
        {
            using var txn = store.Write();
            for (int j = i; j < Math.Min(keys.Length, i + 1000); j++)
            {
                txn.Put(keys[j], value, 0);
            }
        }
    }
}
