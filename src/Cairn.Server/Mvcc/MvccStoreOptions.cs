namespace Cairn.Server.Mvcc;

/// <summary>Tuning of <see cref="MvccStore"/>; etcd's defaults.</summary>
public sealed record MvccStoreOptions
{
    /// <summary>Records examined per compaction batch (etcd's --experimental-compaction-batch-limit).</summary>
    public int CompactionBatchLimit { get; init; } = 1000;

    /// <summary>Pause between compaction batches, so the backend can serve others.</summary>
    public TimeSpan CompactionBatchInterval { get; init; } = TimeSpan.FromMilliseconds(10);
}
