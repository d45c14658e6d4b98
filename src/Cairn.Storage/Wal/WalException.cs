namespace Cairn.Storage.Wal;

/// <summary>
/// A WAL that cannot be read or written as asked. The message starts with etcd's own error text
/// and, where a record is at fault, names the segment file and the byte offset of that record.
/// </summary>
public sealed class WalException : IOException
{
    public WalException(WalErrorKind kind, string? segmentPath = null, long? offset = null, string? detail = null)
        : base(Describe(kind, segmentPath, offset, detail))
    {
        Kind = kind;
        SegmentPath = segmentPath;
        Offset = offset;
    }

    public WalErrorKind Kind { get; }

    /// <summary>The segment file at fault, when one is.</summary>
    public string? SegmentPath { get; }

    /// <summary>Byte offset in <see cref="SegmentPath"/> of the record at fault, when known.</summary>
    public long? Offset { get; }

    /// <summary>etcd's error text for <paramref name="kind"/>.</summary>
    public static string EtcdText(WalErrorKind kind) => kind switch
    {
        WalErrorKind.AlreadyExists => "file already exists",
        WalErrorKind.FileNotFound => "wal: file not found",
        WalErrorKind.CrcMismatch => "wal: crc mismatch",
        WalErrorKind.UnexpectedEof => "unexpected EOF",
        WalErrorKind.Corrupt => "wal: corrupt record",
        WalErrorKind.MaxEntrySizeExceeded => "wal: max entry size limit exceeded",
        WalErrorKind.UnexpectedRecordType => "wal: unexpected block type",
        WalErrorKind.MetadataConflict => "wal: conflicting metadata found",
        WalErrorKind.SnapshotMismatch => "wal: snapshot mismatch",
        WalErrorKind.SnapshotNotFound => "wal: snapshot not found",
        WalErrorKind.SliceOutOfRange => "wal: slice bounds out of range",
        WalErrorKind.BadSegmentName => "bad wal name",
        _ => kind.ToString(),
    };

    private static string Describe(WalErrorKind kind, string? segmentPath, long? offset, string? detail)
    {
        string text = EtcdText(kind);
        if (detail is not null)
        {
            text += $" ({detail})";
        }
        if (segmentPath is not null)
        {
            text += offset is null ? $" in {segmentPath}" : $" in {segmentPath} at offset {offset}";
        }
        return text;
    }
}
