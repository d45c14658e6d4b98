namespace Cairn.Storage.Wal;

/// <summary>What went wrong with a WAL; each kind corresponds to one of etcd's <c>wal</c> errors.</summary>
public enum WalErrorKind
{
    /// <summary>The directory already holds a WAL (<c>os.ErrExist</c> from <c>wal.Create</c>).</summary>
    AlreadyExists,

    /// <summary>No segment covers the requested snapshot, or the segment sequence has a gap (<c>wal: file not found</c>).</summary>
    FileNotFound,

    /// <summary>A record's checksum, or a segment's CRC record, does not match the chain (<c>wal: crc mismatch</c>).</summary>
    CrcMismatch,

    /// <summary>The log ends inside a record: a torn or truncated tail, which <see cref="WalRepair"/> can cut off (<c>io.ErrUnexpectedEOF</c>).</summary>
    UnexpectedEof,

    /// <summary>A record does not decode and is not a torn write.</summary>
    Corrupt,

    /// <summary>A record longer than etcd accepts (10 MiB) (<c>wal: max entry size limit exceeded</c>).</summary>
    MaxEntrySizeExceeded,

    /// <summary>A record type etcd does not define (<c>unexpected block type</c>).</summary>
    UnexpectedRecordType,

    /// <summary>Two metadata records differ (<c>wal: conflicting metadata found</c>).</summary>
    MetadataConflict,

    /// <summary>The snapshot record at the requested index has another term (<c>wal: snapshot mismatch</c>).</summary>
    SnapshotMismatch,

    /// <summary>The requested snapshot was never recorded (<c>wal: snapshot not found</c>).</summary>
    SnapshotNotFound,

    /// <summary>An entry's index leaves a gap after the snapshot (<c>wal: slice bounds out of range</c>).</summary>
    SliceOutOfRange,

    /// <summary>A file in the WAL directory has a malformed segment name (<c>bad wal name</c>).</summary>
    BadSegmentName,
}
