namespace Cairn.Storage.Backend;

/// <summary>
/// etcd's HashByRev over the key bucket (Maintenance.HashKV): CRC-32C of the bucket's name, then
/// of each record's key and value in revision order, leaving out records at or below the
/// compaction revision that the key index no longer keeps. The caller feeds the records below
/// the hashed revision + 1, from wherever it reads them.
/// </summary>
/// <param name="compactRevision">The last compaction's revision (-1 for none).</param>
/// <param name="kept">
/// Whether the key index keeps a record at or below the compaction revision; null when the
/// index's keep set is empty, in which case etcd hashes every record.
/// </param>
public sealed class KeyBucketHasher(long compactRevision, Func<Revision, bool>? kept)
{
    private readonly byte[] _key = new byte[Revision.TombstoneSize];
    private Crc32Castagnoli _crc = Start();

    public uint Value => _crc.Value;

    public void Add(Revision revision, bool isTombstone, ReadOnlySpan<byte> value)
    {
        if (revision.Main <= compactRevision && kept is not null && !kept(revision))
        {
            return;
        }
        int length = revision.WriteTo(_key, isTombstone);
        _crc.Append(_key.AsSpan(0, length));
        _crc.Append(value);
    }

    private static Crc32Castagnoli Start()
    {
        var crc = Crc32Castagnoli.Create();
        crc.Append(BackendBuckets.Key);
        return crc;
    }
}
