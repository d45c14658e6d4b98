using Cairn.Storage.FileSystem;

namespace Cairn.Storage.Wal;

/// <summary>Settings of one WAL instance (etcd keeps these in package variables; Cairn per instance).</summary>
public sealed record WalOptions
{
    /// <summary>etcd's segment size: 64 MB (decimal), preallocated for every segment.</summary>
    public const long EtcdSegmentSizeBytes = 64 * 1000 * 1000;

    public static WalOptions Default { get; } = new();

    /// <summary>Size segments are preallocated to; a segment is cut once its records pass this size.</summary>
    public long SegmentSizeBytes { get; init; } = EtcdSegmentSizeBytes;

    /// <summary>Skip fdatasync (etcd's <c>--unsafe-no-fsync</c>): a crash can lose acknowledged writes.</summary>
    public bool UnsafeNoFsync { get; init; }

    /// <summary>What the WAL's fdatasyncs go through (unless <see cref="UnsafeNoFsync"/>); tests count them here.</summary>
    internal IDataSync DataSync { get; init; } = DiskDataSync.Instance;
}
