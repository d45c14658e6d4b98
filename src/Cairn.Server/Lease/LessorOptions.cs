using Cairn.Server.Configuration.Model;

namespace Cairn.Server.Lease;

/// <summary>The lessor's settings; the defaults are etcd 3.4's.</summary>
public sealed record LessorOptions
{
    /// <summary>Shorter TTLs are raised to this many seconds.</summary>
    public long MinTtl { get; init; }

    /// <summary>How often a long lease's remaining TTL is checkpointed (etcd's defaultLeaseCheckpointInterval).</summary>
    public TimeSpan CheckpointInterval { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// After an expired lease is handed out for revoking, how long before it is handed out again
    /// if it still exists (etcd passes its request timeout).
    /// </summary>
    public TimeSpan ExpiredLeaseRetryInterval { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Checkpoints are also written to the lease bucket (--experimental-enable-lease-checkpoint-persist).</summary>
    public bool PersistCheckpoints { get; init; }

    /// <summary>The most leases revoked per second (etcd's leaseRevokeRate), also what Promote spreads expiries for.</summary>
    public int RevokeRate { get; init; } = 1000;

    /// <summary>The most lease checkpoints proposed per second (etcd's leaseCheckpointRate).</summary>
    public int CheckpointRate { get; init; } = 1000;

    /// <summary>The most checkpoints in one raft entry (etcd's maxLeaseCheckpointBatchSize).</summary>
    public int MaxCheckpointBatch { get; init; } = 1000;

    /// <summary>The lessor's clock (monotonic timestamps); a test gives a manual one.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>
    /// etcd's minimum TTL: one and a half election timeouts, in whole seconds rounded up, so that
    /// a lease outlives the election that may follow a leader's failure.
    /// </summary>
    public static long MinTtlFor(RaftSettings raft)
    {
        var minimum = (3 * raft.ElectionTicks / 2) * raft.HeartbeatInterval;
        return (long)Math.Ceiling(minimum.TotalSeconds);
    }
}
