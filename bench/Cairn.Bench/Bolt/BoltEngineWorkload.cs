using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using Cairn.Storage.Bolt;

namespace Cairn.Bench.Bolt;

/// <summary>
/// The bolt engine workloads of bench/bolt.sh, the same as bench/go/boltbench runs on Go's bbolt:
/// puts in batches of 1,000 and 10,000 keys per transaction (sequential etcd revision keys of 17
/// bytes, 300-byte values; and random order), point reads in random order, a cursor scan.
/// Prints "RESULT name ops seconds bytes", best of the rounds.
/// </summary>
public sealed class BoltEngineWorkload : IWorkload
{
    private const int ValueSize = 300;

    public string Name => "bolt";

    public string Description => "bbolt engine: batched puts (17-byte keys, 300-byte values), point reads, cursor scan [--dir D --n N --rounds R --nosync]";

    public Task<int> RunAsync(string[] args)
    {
        var dir = Option(args, "--dir") ?? Path.GetTempPath();
        var n = int.Parse(Option(args, "--n") ?? "200000", CultureInfo.InvariantCulture);
        var rounds = int.Parse(Option(args, "--rounds") ?? "3", CultureInfo.InvariantCulture);
        var noSync = args.Contains("--nosync");
        Directory.CreateDirectory(dir);

        var value = new byte[ValueSize];
        new Random(1).NextBytes(value);
        var order = Enumerable.Range(0, n).ToArray();
        new Random(2).Shuffle(order);

        var best = new Dictionary<string, Result>();
        var names = new List<string>();
        void RecordBest(string name, Result r)
        {
            if (!best.TryGetValue(name, out var b))
            {
                names.Add(name);
                best[name] = r;
            }
            else if (r.Seconds < b.Seconds)
            {
                best[name] = r;
            }
        }

        // Round 0 is a warm-up (the JIT tiers up the hot paths), not reported: steady state is what a server runs in.
        for (var round = 0; round <= rounds; round++)
        {
            var warmup = round == 0;
            var size = n;
            var roundOrder = order;
            void Record(string name, Result r)
            {
                if (!warmup)
                {
                    RecordBest(name, r);
                }
            }
            var path = Path.Combine(dir, $"cairn-{round}.db");
            using (var db = Open(path, noSync))
            {
                Record("put-seq-batch-1000", Put(db, size, 1000, null, value));
                Record("get-random", Get(db, size, roundOrder));
                Record("scan-cursor", Scan(db, size));
            }
            File.Delete(path);
            using (var db = Open(path, noSync))
            {
                Record("put-seq-batch-10000", Put(db, size, 10000, null, value));
            }
            File.Delete(path);
            using (var db = Open(path, noSync))
            {
                Record("put-random-batch-1000", Put(db, size, 1000, roundOrder, value));
            }
            File.Delete(path);
        }
        foreach (var name in names)
        {
            var r = best[name];
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"RESULT {name} {r.Ops} {r.Seconds:F6} {r.Bytes}"));
        }
        return Task.FromResult(0);
    }

    private readonly record struct Result(int Ops, double Seconds, long Bytes);

    private static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private static void WriteKey(Span<byte> key, int i)
    {
        BinaryPrimitives.WriteUInt64BigEndian(key, (ulong)i);
        key[8] = (byte)'_';
        BinaryPrimitives.WriteUInt64BigEndian(key[9..], 0);
    }

    private static BoltDatabase Open(string path, bool noSync)
    {
        File.Delete(path);
        var db = BoltDatabase.Open(path, new BoltOptions { NoSync = noSync });
        db.Update(tx => tx.CreateBucket("key"u8));
        return db;
    }

    private static Result Put(BoltDatabase db, int n, int batch, int[]? order, byte[] value)
    {
        Span<byte> key = stackalloc byte[17];
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < n; i += batch)
        {
            using var tx = db.BeginWrite();
            var bucket = tx.Bucket("key"u8)!;
            for (var j = i; j < i + batch && j < n; j++)
            {
                WriteKey(key, order is null ? j : order[j]);
                bucket.Put(key, value);
            }
            tx.Commit();
        }
        return new Result(n, Stopwatch.GetElapsedTime(started).TotalSeconds, (long)n * (17 + ValueSize));
    }

    private static Result Get(BoltDatabase db, int n, int[] order)
    {
        var keys = new byte[n][];
        for (var i = 0; i < n; i++)
        {
            keys[i] = new byte[17];
            WriteKey(keys[i], order[i]);
        }
        long total = 0;
        var started = Stopwatch.GetTimestamp();
        using (var tx = db.BeginRead())
        {
            var bucket = tx.Bucket("key"u8)!;
            foreach (var k in keys)
            {
                if (!bucket.TryGet(k, out var v))
                {
                    throw new InvalidOperationException("missing key");
                }
                total += k.Length + v.Length;
            }
        }
        return new Result(n, Stopwatch.GetElapsedTime(started).TotalSeconds, total);
    }

    private static Result Scan(BoltDatabase db, int n)
    {
        long total = 0;
        var count = 0;
        var started = Stopwatch.GetTimestamp();
        using (var tx = db.BeginRead())
        {
            var c = tx.Bucket("key"u8)!.Cursor();
            for (var ok = c.First(); ok; ok = c.Next())
            {
                total += c.Key.Length + c.Value.Length;
                count++;
            }
        }
        if (count != n)
        {
            throw new InvalidOperationException("scan saw the wrong number of keys");
        }
        return new Result(n, Stopwatch.GetElapsedTime(started).TotalSeconds, total);
    }
}
