using Cairn.Storage;

namespace Cairn.Server.Mvcc;

/// <summary>
/// Rebuilds the key index from the backend's records at start (etcd's <c>restore</c>): every
/// record, tombstones included, in revision order. A record of a known key extends it; the
/// first surviving record of a key starts it from its create revision and version (older ones
/// may be compacted away); a tombstone of an unknown key is ignored.
/// </summary>
/// <remarks>
/// Records come in revision order, so their keys come in random order. Keys are looked up in a
/// hash table while reading, then sorted once and bulk-loaded into the tree: far fewer cache
/// misses than a tree search per record.
/// </remarks>
internal sealed class IndexRebuild
{
    private readonly Dictionary<byte[], KeyIndex> _keys = new(ByteArrayComparer.Instance);
    private readonly Dictionary<byte[], KeyIndex>.AlternateLookup<ReadOnlySpan<byte>> _bySpan;

    // The lease of each key whose newest record has one.
    private readonly Dictionary<KeyIndex, long> _leases = new(ReferenceEqualityComparer.Instance);

    public IndexRebuild()
    {
        _bySpan = _keys.GetAlternateLookup<ReadOnlySpan<byte>>();
    }

    /// <summary>The main revision of the last record read; 1 (an empty store) when none.</summary>
    public long LastRevision { get; private set; } = 1;

    /// <exception cref="FormatException">A record is not a KeyValue.</exception>
    public void Add(Revision revision, bool isTombstone, ReadOnlySpan<byte> record)
    {
        var kv = KeyValueSummary.Parse(record);
        LastRevision = revision.Main;
        if (_bySpan.TryGetValue(kv.Key, out var ki))
        {
            if (isTombstone)
            {
                ki.Tombstone(revision);
            }
            else
            {
                ki.Put(revision);
            }
        }
        else if (!isTombstone)
        {
            ki = new KeyIndex(kv.Key.ToArray());
            ki.Restore(kv.CreateRevision, revision, kv.Version);
            _keys.Add(ki.Key, ki);
        }
        else
        {
            return;
        }
        if (!isTombstone && kv.Lease != 0)
        {
            _leases[ki] = kv.Lease;
        }
        else if (_leases.Count > 0)
        {
            _leases.Remove(ki);
        }
    }

    /// <summary>The keys, sorted, for <see cref="TreeIndex.BulkLoad"/>.</summary>
    public KeyIndex[] SortedKeys()
    {
        var sorted = _keys.Values.ToArray();
        Array.Sort(sorted, static (a, b) => a.Key.AsSpan().SequenceCompareTo(b.Key));
        return sorted;
    }

    /// <summary>The live keys attached to a lease, with it.</summary>
    public IEnumerable<(byte[] Key, long Lease)> KeyLeases() =>
        _leases.Select(p => (p.Key.Key, p.Value));
}
