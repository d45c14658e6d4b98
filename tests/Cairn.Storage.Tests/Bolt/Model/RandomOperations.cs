namespace Cairn.Storage.Tests.Bolt.Model;

/// <summary>
/// Seeded random operations that are valid against the model's current state: puts of new and
/// existing keys (small to multi-page values), deletes of present and missing keys, bucket
/// creation (nested up to three deep), bucket deletion and sequence changes.
/// </summary>
/// <remarks>A top-level bucket named <paramref name="reserved"/> (if any) is left alone.</remarks>
public sealed class RandomOperations(int seed, byte[]? reserved = null)
{
    private readonly Random _random = new(seed);

    public BoltOperation Next(ModelBucket root)
    {
        var paths = root.BucketPaths().Where(p => reserved is null || !p[0].AsSpan().SequenceEqual(reserved)).ToList();
        if (paths.Count == 0 || _random.Next(100) < 2)
        {
            return NewBucket(root, paths);
        }
        var path = paths[_random.Next(paths.Count)];
        var bucket = root.At(path);
        var roll = _random.Next(100);
        if (roll < 55)
        {
            var key = bucket.Values.Count > 0 && _random.Next(4) == 0 ? PickKey(bucket) : NewKey(bucket);
            return new BoltOperation(BoltOperationKind.Put, path, key, RandomValue(), 0);
        }
        if (roll < 85)
        {
            var key = bucket.Values.Count > 0 && _random.Next(5) != 0 ? PickKey(bucket) : NewKey(bucket);
            return new BoltOperation(BoltOperationKind.Delete, path, key, [], 0);
        }
        if (roll < 92)
        {
            return NewBucket(root, paths);
        }
        if (roll < 96 && paths.Count > 1)
        {
            var victim = paths[_random.Next(paths.Count)];
            return new BoltOperation(BoltOperationKind.DeleteBucket, victim.Take(victim.Count - 1).ToList(), victim[^1], [], 0);
        }
        return new BoltOperation(BoltOperationKind.SetSequence, path.Take(path.Count - 1).ToList(), path[^1], [], (ulong)_random.NextInt64());
    }

    private BoltOperation NewBucket(ModelBucket root, List<List<byte[]>> paths)
    {
        var candidates = paths.Where(p => p.Count < 3).ToList();
        var parentPath = candidates.Count == 0 || _random.Next(3) == 0 ? new List<byte[]>() : candidates[_random.Next(candidates.Count)];
        var parent = root.At(parentPath);
        return new BoltOperation(BoltOperationKind.CreateBucket, parentPath, NewKey(parent), [], 0);
    }

    private byte[] PickKey(ModelBucket bucket) => bucket.Values.Keys.ElementAt(_random.Next(bucket.Values.Count));

    private byte[] NewKey(ModelBucket bucket)
    {
        while (true)
        {
            byte[] key;
            if (_random.Next(3) == 0)
            {
                // etcd-like revision keys: 8 bytes main, '_', 8 bytes sub.
                key = new byte[17];
                System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(key, _random.Next(1 << 20));
                key[8] = (byte)'_';
            }
            else
            {
                key = new byte[1 + _random.Next(_random.Next(10) == 0 ? 600 : 24)];
                _random.NextBytes(key);
            }
            if (!bucket.Contains(key) && (reserved is null || !key.AsSpan().SequenceEqual(reserved)))
            {
                return key;
            }
        }
    }

    private byte[] RandomValue()
    {
        var roll = _random.Next(100);
        var length = roll < 5 ? 0 : roll < 90 ? _random.Next(400) : roll < 98 ? _random.Next(4096) : 4096 + _random.Next(20000);
        var value = new byte[length];
        _random.NextBytes(value);
        return value;
    }
}
