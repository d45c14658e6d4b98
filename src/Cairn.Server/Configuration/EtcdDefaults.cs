namespace Cairn.Server.Configuration;

/// <summary>
/// etcd 3.4's defaults, in one place: the flag table's defaults come from here or match these, and the server's
/// "0 means default" settings resolve to them.
/// </summary>
public static class EtcdDefaults
{
    public const string Name = "default";
    public const string ListenPeerUrls = "http://localhost:2380";
    public const string ListenClientUrls = "http://localhost:2379";
    public const string InitialAdvertisePeerUrls = "http://localhost:2380";
    public const string AdvertiseClientUrls = "http://localhost:2379";

    /// <summary>The initial cluster etcd derives from the default name and advertise peer URL.</summary>
    public const string InitialCluster = Name + "=" + InitialAdvertisePeerUrls;

    public const string InitialClusterToken = "etcd-cluster";
    public const ulong SnapshotCount = 100_000;
    public const ulong SnapshotCatchUpEntries = 5_000;
    public const ulong MaxSnapshots = 5;
    public const ulong MaxWals = 5;
    public const ulong HeartbeatMilliseconds = 100;
    public const ulong ElectionMilliseconds = 1000;

    /// <summary>etcd refuses an election timeout above this (milliseconds).</summary>
    public const ulong MaxElectionMilliseconds = 50_000;

    public const ulong MaxTxnOps = 128;
    public const ulong MaxRequestBytes = 1536 * 1024;
    public const uint MaxConcurrentStreams = uint.MaxValue;

    /// <summary>The backend quota when --quota-backend-bytes is 0 (2 GiB).</summary>
    public const long QuotaBackendBytes = 2L * 1024 * 1024 * 1024;

    /// <summary>etcd warns when the quota exceeds this (8 GiB).</summary>
    public const long MaxQuotaBackendBytes = 8L * 1024 * 1024 * 1024;

    public const long BackendBatchLimit = 10_000;
    public const long CompactionBatchLimit = 1000;
    public const int BcryptCost = 10;
    public const int MinBcryptCost = 4;
    public const int MaxBcryptCost = 31;

    /// <summary>The name of the data dir when none is given: "${name}.etcd".</summary>
    public static string DataDirFor(string name) => name + ".etcd";

    public static readonly TimeSpan BackendBatchInterval = TimeSpan.FromMilliseconds(100);
    public static readonly TimeSpan GrpcKeepAliveMinTime = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan GrpcKeepAliveInterval = TimeSpan.FromHours(2);
    public static readonly TimeSpan GrpcKeepAliveTimeout = TimeSpan.FromSeconds(20);
    public static readonly TimeSpan WarningApplyDuration = TimeSpan.FromMilliseconds(100);
    public static readonly TimeSpan WatchProgressNotifyInterval = TimeSpan.FromMinutes(10);
}
