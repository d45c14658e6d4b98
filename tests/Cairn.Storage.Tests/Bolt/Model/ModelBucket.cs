namespace Cairn.Storage.Tests.Bolt.Model;

/// <summary>The in-memory reference a bolt database is compared with: a sorted map of values and nested buckets.</summary>
public sealed class ModelBucket
{
    public SortedDictionary<byte[], byte[]> Values { get; } = new(ByteOrder.Instance);

    public SortedDictionary<byte[], ModelBucket> Buckets { get; } = new(ByteOrder.Instance);

    public ulong Sequence { get; set; }

    public bool Contains(byte[] key) => Values.ContainsKey(key) || Buckets.ContainsKey(key);

    public ModelBucket Clone()
    {
        var copy = new ModelBucket { Sequence = Sequence };
        foreach (var (k, v) in Values)
        {
            copy.Values[k] = v;
        }
        foreach (var (k, b) in Buckets)
        {
            copy.Buckets[k] = b.Clone();
        }
        return copy;
    }

    public ModelBucket At(IReadOnlyList<byte[]> path)
    {
        var b = this;
        foreach (var name in path)
        {
            b = b.Buckets[name];
        }
        return b;
    }

    /// <summary>Every bucket path below this one (not including it), depth first.</summary>
    public IEnumerable<List<byte[]>> BucketPaths(List<byte[]>? prefix = null)
    {
        prefix ??= new();
        foreach (var (name, child) in Buckets)
        {
            var path = new List<byte[]>(prefix) { name };
            yield return path;
            foreach (var p in child.BucketPaths(path))
            {
                yield return p;
            }
        }
    }
}

/// <summary>Unsigned lexicographic byte order, bbolt's key order.</summary>
public sealed class ByteOrder : IComparer<byte[]>
{
    public static readonly ByteOrder Instance = new();

    public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
}
