namespace Cairn.Server.Configuration.Model;

/// <summary>bbolt's freelist implementation (--experimental-backend-bbolt-freelist-type).</summary>
public enum FreelistType
{
    Array,
    Map,
}

/// <summary>The backend database: quota, commit batching, compaction batching.</summary>
/// <param name="QuotaBytes">--quota-backend-bytes as given: 0 means the default quota, negative disables the quota.</param>
/// <param name="BatchInterval">--backend-batch-interval as given (zero: etcd's default).</param>
/// <param name="BatchLimit">--backend-batch-limit as given (0 or less: etcd's default).</param>
/// <param name="FreelistType">--experimental-backend-bbolt-freelist-type ("map", anything else is array).</param>
/// <param name="CompactionBatchLimit">--experimental-compaction-batch-limit as given (0 or less: etcd's default).</param>
/// <param name="UnsafeNoFsync">--unsafe-no-fsync.</param>
public sealed record BackendSettings(
    long QuotaBytes,
    TimeSpan BatchInterval,
    long BatchLimit,
    FreelistType FreelistType,
    long CompactionBatchLimit,
    bool UnsafeNoFsync)
{
    /// <summary>The quota in force: the default (2 GiB) for 0, none (null) when negative.</summary>
    public long? EffectiveQuotaBytes => QuotaBytes switch
    {
        0 => EtcdDefaults.QuotaBackendBytes,
        < 0 => null,
        _ => QuotaBytes,
    };

    public TimeSpan EffectiveBatchInterval => BatchInterval > TimeSpan.Zero ? BatchInterval : EtcdDefaults.BackendBatchInterval;

    public long EffectiveBatchLimit => BatchLimit > 0 ? BatchLimit : EtcdDefaults.BackendBatchLimit;

    public long EffectiveCompactionBatchLimit => CompactionBatchLimit > 0 ? CompactionBatchLimit : EtcdDefaults.CompactionBatchLimit;
}
