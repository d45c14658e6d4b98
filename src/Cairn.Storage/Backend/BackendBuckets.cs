namespace Cairn.Storage.Backend;

/// <summary>
/// etcd 3.4's bucket and key names (mvcc/kvstore.go, lease/lessor.go, auth/store.go,
/// etcdserver/api/membership/store.go, etcdserver/api/v3alarm/alarms.go). A data dir etcd 3.4 has
/// initialised holds exactly <see cref="All"/>.
/// </summary>
public static class BackendBuckets
{
    public static ReadOnlySpan<byte> Key => "key"u8;
    public static ReadOnlySpan<byte> Meta => "meta"u8;
    public static ReadOnlySpan<byte> Lease => "lease"u8;
    public static ReadOnlySpan<byte> Auth => "auth"u8;
    public static ReadOnlySpan<byte> AuthUsers => "authUsers"u8;
    public static ReadOnlySpan<byte> AuthRoles => "authRoles"u8;
    public static ReadOnlySpan<byte> Members => "members"u8;
    public static ReadOnlySpan<byte> MembersRemoved => "members_removed"u8;
    public static ReadOnlySpan<byte> Cluster => "cluster"u8;
    public static ReadOnlySpan<byte> Alarm => "alarm"u8;

    /// <summary>Every bucket of a fresh etcd 3.4 backend, in key order.</summary>
    public static IReadOnlyList<string> All { get; } =
        ["alarm", "auth", "authRoles", "authUsers", "cluster", "key", "lease", "members", "members_removed", "meta"];
}

/// <summary>etcd 3.4's key names inside the meta, auth and cluster buckets.</summary>
public static class BackendKeys
{
    /// <summary>meta: the index of the last applied raft entry covered by this backend (8 bytes, big-endian).</summary>
    public static ReadOnlySpan<byte> ConsistentIndex => "consistent_index"u8;

    /// <summary>meta: the revision a compaction was scheduled at (17-byte revision).</summary>
    public static ReadOnlySpan<byte> ScheduledCompactRevision => "scheduledCompactRev"u8;

    /// <summary>meta: the revision the last compaction finished at (17-byte revision).</summary>
    public static ReadOnlySpan<byte> FinishedCompactRevision => "finishedCompactRev"u8;

    /// <summary>auth: one byte, 1 when authentication is enabled, 0 when disabled.</summary>
    public static ReadOnlySpan<byte> AuthEnabled => "authEnabled"u8;

    /// <summary>auth: the auth store revision (8 bytes, big-endian).</summary>
    public static ReadOnlySpan<byte> AuthRevision => "authRevision"u8;

    /// <summary>cluster: the cluster version ("3.4.0").</summary>
    public static ReadOnlySpan<byte> ClusterVersion => "clusterVersion"u8;

    /// <summary>members_removed: the value etcd writes for a removed member.</summary>
    public static ReadOnlySpan<byte> Removed => "removed"u8;
}
