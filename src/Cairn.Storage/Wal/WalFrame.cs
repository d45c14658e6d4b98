namespace Cairn.Storage.Wal;

/// <summary>
/// The framing of a record on disk: an 8-byte little-endian length word, the marshalled
/// <c>walpb.Record</c>, then zero padding to an 8-byte boundary. The length word keeps the record
/// size in its low 56 bits; when padding is present its top byte is <c>0x80 | padding</c>. The
/// alignment means a length word can never straddle a sector and be torn.
/// </summary>
internal static class WalFrame
{
    /// <summary>Size of the length word.</summary>
    public const int LengthBytes = 8;

    /// <summary>Sector size the torn-write rule reasons in.</summary>
    public const int MinSectorSize = 512;

    /// <summary>Writes reach the file in multiples of this (from the segment's start) except at a flush.</summary>
    public const int PageBytes = 8 * MinSectorSize;

    /// <summary>etcd refuses records this long or longer: raft messages are at most a few MiB.</summary>
    public const long MaxRecordBytes = 10 * 1024 * 1024;

    public static (ulong LengthField, int PadBytes) Encode(int recordBytes)
    {
        int pad = (8 - (recordBytes % 8)) % 8;
        ulong field = (ulong)recordBytes;
        if (pad != 0)
        {
            field |= (ulong)(0x80 | pad) << 56;
        }
        return (field, pad);
    }

    public static (long RecordBytes, long PadBytes) Decode(long lengthField)
    {
        long recordBytes = (long)((ulong)lengthField & ~(0xFFUL << 56));
        long pad = lengthField < 0 ? (long)(((ulong)lengthField >> 56) & 0x7) : 0;
        return (recordBytes, pad);
    }
}
