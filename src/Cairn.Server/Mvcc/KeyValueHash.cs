using Cairn.Server.Errors;
using Cairn.Storage.Backend;

namespace Cairn.Server.Mvcc;

/// <summary>
/// Maintenance.HashKV's answer (etcd's HashByRev): the CRC-32C of the key bucket's name and of
/// every record key and value up to a revision, leaving out what the last compaction is about to
/// delete, so members that applied the same history give the same hash whether or not their
/// compaction has finished. <see cref="Revision"/> is the store's current revision when asked.
/// </summary>
public readonly record struct KeyValueHash(uint Hash, long Revision, long CompactRevision)
{
    /// <summary>Hashes the history up to <paramref name="revision"/> (0 for the current revision).</summary>
    /// <exception cref="EtcdException">Compacted or future revision, with etcd's errors.</exception>
    public static KeyValueHash Compute(MvccStore store, long revision)
    {
        long compacted = store.CompactedRevision;
        long current = store.CurrentRevision;
        if (revision > 0 && revision <= compacted)
        {
            throw EtcdErrors.Compacted.ToException();
        }
        if (revision > current)
        {
            throw EtcdErrors.FutureRevision.ToException();
        }
        if (revision == 0)
        {
            revision = current;
        }
        var keep = store.Index.Keep(revision);
        var hasher = new KeyBucketHasher(compacted, keep.Count > 0 ? r => keep.Contains(new Revision(r.Main, r.Sub)) : null);
        store.Backend.ScanRecords(new Revision(0, 0), new Revision(revision + 1, 0), (rev, isTombstone, value) =>
        {
            hasher.Add(new Storage.Backend.Revision(rev.Main, rev.Sub), isTombstone, value);
            return true;
        });
        return new KeyValueHash(hasher.Value, current, compacted);
    }
}
