using Cairn.Storage.Bolt;

namespace Cairn.Storage.Backend;

/// <summary>What `etcdctl snapshot status` prints for a backend file.</summary>
public readonly record struct SnapshotStatus(uint Hash, long Revision, int TotalKey, long TotalSize);

/// <summary>
/// etcd's backend hashes, all CRC-32C: the whole-backend hash of `etcdctl snapshot status`
/// (clientv3/snapshot Status) and of Maintenance.Hash (mvcc/backend Hash, ignoring
/// meta/consistent_index), and the key-bucket hash of Maintenance.HashKV (mvcc/kvstore HashByRev).
/// </summary>
public static class BackendHashes
{
    /// <summary>`etcdctl snapshot status`: hash of every bucket name, key and value; last revision; key count; size.</summary>
    public static SnapshotStatus Status(BackendReadTransaction tx)
    {
        long revision = 0;
        var total = 0;
        var hash = HashBuckets(tx, skipConsistentIndex: false, (bucket, key) =>
        {
            if (bucket.SequenceEqual(BackendBuckets.Key) && key.Length >= Backend.Revision.Size)
            {
                revision = Backend.Revision.Parse(key[..Backend.Revision.Size], out _).Main;
            }
            total++;
        });
        return new SnapshotStatus(hash, revision, total, tx.Size);
    }

    /// <summary>Maintenance.Hash: every bucket name, key and value except meta/consistent_index.</summary>
    public static uint Hash(BackendReadTransaction tx) => HashBuckets(tx, skipConsistentIndex: true, null);

    private static uint HashBuckets(BackendReadTransaction tx, bool skipConsistentIndex, Action<ReadOnlySpan<byte>, ReadOnlySpan<byte>>? onEntry)
    {
        var crc = Crc32Castagnoli.Create();
        var buckets = tx.Bolt.Cursor();
        for (var ok = buckets.First(); ok; ok = buckets.Next())
        {
            var name = buckets.Key;
            var bucket = tx.Bolt.Bucket(name) ?? throw new BackendException($"cannot get hash of bucket {System.Text.Encoding.UTF8.GetString(name)}");
            crc.Append(name);
            var isMeta = name.SequenceEqual(BackendBuckets.Meta);
            var c = bucket.Cursor();
            for (var more = c.First(); more; more = c.Next())
            {
                if (skipConsistentIndex && isMeta && c.Key.SequenceEqual(BackendKeys.ConsistentIndex))
                {
                    continue;
                }
                crc.Append(c.Key);
                crc.Append(c.Value);
                onEntry?.Invoke(name, c.Key);
            }
        }
        return crc.Value;
    }

    /// <summary>
    /// Maintenance.HashKV at <paramref name="revision"/>: the key bucket's name, then each record
    /// below revision+1, skipping records at or below <paramref name="compactRevision"/> that
    /// <paramref name="keep"/> (the key index's Keep set) does not hold — unless keep is empty.
    /// </summary>
    public static uint HashKeyValues(BackendReadTransaction tx, long revision, long compactRevision, IReadOnlySet<Revision>? keep)
    {
        var hasher = new KeyBucketHasher(compactRevision, keep is { Count: > 0 } ? keep.Contains : null);
        foreach (var record in tx.Revisions(new Revision(0), new Revision(revision + 1)))
        {
            hasher.Add(record.Revision, record.IsTombstone, record.Value);
        }
        return hasher.Value;
    }
}
