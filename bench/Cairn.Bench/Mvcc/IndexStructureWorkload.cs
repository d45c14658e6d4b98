using System.Diagnostics;
using Cairn.Server.Mvcc;
using static Cairn.Bench.Mvcc.MvccBenchSupport;

namespace Cairn.Bench.Mvcc;

/// <summary>
/// Why the key index is a B+tree: the same keys in <see cref="KeyIndexTree"/> and in the BCL's
/// ordered collections, for memory per key, inserts/s, lookups/s and a 100-key scan from a key.
/// </summary>
public sealed class IndexStructureWorkload : IWorkload
{
    public string Name => "mvcc-index-structure";

    public string Description => "ordered key structures compared: KeyIndexTree vs SortedDictionary vs SortedSet (--keys 1000000)";

    private sealed class ByteOrder : IComparer<byte[]>, IComparer<KeyIndex>
    {
        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);

        public int Compare(KeyIndex? x, KeyIndex? y) => x!.Key.AsSpan().SequenceCompareTo(y!.Key);
    }

    public Task<int> RunAsync(string[] args)
    {
        int count = IntOption(args, "--keys", 1_000_000);
        var keys = Keys(count, IntOption(args, "--key-size", 8)).Select(k => k.ToByteArray()).ToArray();
        var items = keys.Select(k => new KeyIndex(k)).ToArray();
        Console.WriteLine($"mvcc-index-structure: {count:N0} keys (memory excludes the keys and KeyIndex objects)");
        PrintMachineLoad();

        Measure("KeyIndexTree (B+tree, 64 per node)", () =>
        {
            var tree = new KeyIndexTree();
            foreach (var item in items)
            {
                tree.Insert(item);
            }
            return tree;
        }, tree => tree.Find(keys[Random.Shared.Next(count)]) is not null, tree =>
        {
            var cursor = tree.Seek(keys[Random.Shared.Next(count)]);
            for (int i = 0; i < 100 && cursor.MoveNext(); i++)
            {
            }
        }, count);

        var order = new ByteOrder();
        Measure("SortedDictionary<byte[], KeyIndex>", () =>
        {
            var map = new SortedDictionary<byte[], KeyIndex>(order);
            foreach (var item in items)
            {
                map.Add(item.Key, item);
            }
            return map;
        }, map => map.ContainsKey(keys[Random.Shared.Next(count)]), map =>
        {
            // No seek: the only way to start at a key is to walk from the first.
            _ = map.Keys.SkipWhile(k => order.Compare(k, keys[0]) < 0).Take(100).Count();
        }, count);

        Measure("SortedSet<KeyIndex> (GetViewBetween)", () =>
        {
            var set = new SortedSet<KeyIndex>(order);
            foreach (var item in items)
            {
                set.Add(item);
            }
            return set;
        }, set => set.Contains(items[Random.Shared.Next(count)]), set =>
        {
            var from = items[Random.Shared.Next(count)];
            _ = set.GetViewBetween(from, set.Max!).Take(100).Count();
        }, count);
        return Task.FromResult(0);
    }

    private static void Measure<T>(string name, Func<T> build, Func<T, bool> lookup, Action<T> scan, int count)
        where T : class
    {
        long before = SettledHeap();
        var timer = StartTimer();
        var structure = build();
        var inserts = timer.Stop();
        long bytes = SettledHeap() - before;

        timer = StartTimer();
        var until = Stopwatch.GetTimestamp() + Stopwatch.Frequency;
        int lookups = 0;
        while (Stopwatch.GetTimestamp() < until)
        {
            for (int i = 0; i < 256; i++)
            {
                lookup(structure);
            }
            lookups += 256;
        }
        var lookupTime = timer.Stop();

        timer = StartTimer();
        until = Stopwatch.GetTimestamp() + Stopwatch.Frequency;
        int scans = 0;
        while (Stopwatch.GetTimestamp() < until && scans < 5000)
        {
            scan(structure);
            scans++;
        }
        var scanTime = timer.Stop();
        Console.WriteLine($"  {name,-40} {bytes / (double)count,6:N1} B/key  per CPU second: {count / inserts.Cpu.TotalSeconds,10:N0} inserts" +
            $"  {lookups / lookupTime.Cpu.TotalSeconds,10:N0} lookups  {scans / scanTime.Cpu.TotalSeconds,8:N0} 100-key scans");
        GC.KeepAlive(structure);
    }
}
