using Cairn.Storage.Bolt;

namespace Cairn.Storage.Tests.Bolt.Model;

/// <summary>
/// A database's whole content as lines, in the format of the Go boltcheck program's dump:
/// "bucket PATH SEQ" and "key PATH KEY VALUE", hex, "-" for empty, depth first in key order.
/// </summary>
public static class BoltDump
{
    public static string Hex(ReadOnlySpan<byte> b) => b.Length == 0 ? "-" : Convert.ToHexString(b).ToLowerInvariant();

    public static List<string> Of(ModelBucket root)
    {
        var lines = new List<string>();
        foreach (var (name, bucket) in root.Buckets)
        {
            Append(lines, Hex(name), bucket);
        }
        return lines;
    }

    private static void Append(List<string> lines, string path, ModelBucket bucket)
    {
        lines.Add($"bucket {path} {bucket.Sequence}");
        var keys = bucket.Values.Keys.Concat(bucket.Buckets.Keys).Order(ByteOrder.Instance);
        foreach (var k in keys)
        {
            if (bucket.Buckets.TryGetValue(k, out var child))
            {
                Append(lines, path + "/" + Hex(k), child);
            }
            else
            {
                lines.Add($"key {path} {Hex(k)} {Hex(bucket.Values[k])}");
            }
        }
    }

    public static List<string> Of(BoltTransaction tx)
    {
        var lines = new List<string>();
        var c = tx.Cursor();
        for (var ok = c.First(); ok; ok = c.Next())
        {
            Append(lines, Hex(c.Key), tx.Bucket(c.Key)!);
        }
        return lines;
    }

    private static void Append(List<string> lines, string path, BoltBucket bucket)
    {
        lines.Add($"bucket {path} {bucket.Sequence}");
        var c = bucket.Cursor();
        for (var ok = c.First(); ok; ok = c.Next())
        {
            if (c.IsBucket)
            {
                Append(lines, path + "/" + Hex(c.Key), bucket.Bucket(c.Key)!);
            }
            else
            {
                lines.Add($"key {path} {Hex(c.Key)} {Hex(c.Value)}");
            }
        }
    }

    /// <summary>The model as it would be read back: rebuilt from a dump.</summary>
    public static ModelBucket Parse(IEnumerable<string> lines)
    {
        var root = new ModelBucket();
        foreach (var line in lines)
        {
            var f = line.Split(' ');
            var path = f[1].Split('/').Select(Unhex).ToList();
            if (f[0] == "bucket")
            {
                root.At(path.Take(path.Count - 1).ToList()).Buckets[path[^1]] = new ModelBucket { Sequence = ulong.Parse(f[2]) };
            }
            else if (f[0] == "key")
            {
                root.At(path).Values[Unhex(f[2])] = Unhex(f[3]);
            }
        }
        return root;
    }

    public static byte[] Unhex(string s) => s == "-" ? [] : Convert.FromHexString(s);
}
