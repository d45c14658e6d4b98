namespace Cairn.Server.Lease;

/// <summary>How a renewal ended (etcd's Renew returns the TTL, ErrLeaseNotFound or ErrNotPrimary).</summary>
public enum LeaseRenewalStatus
{
    Renewed,

    /// <summary>No such lease, or it expired and was revoked while the renewal waited.</summary>
    NotFound,

    /// <summary>This member's lessor is not the primary (not the leader, or not yet promoted): the leader must renew it.</summary>
    NotPrimary,
}

/// <summary>The outcome of a renewal: the lease's granted TTL when renewed.</summary>
public readonly record struct LeaseRenewal(LeaseRenewalStatus Status, long Ttl)
{
    public static LeaseRenewal NotFound => new(LeaseRenewalStatus.NotFound, -1);

    public static LeaseRenewal NotPrimary => new(LeaseRenewalStatus.NotPrimary, -1);
}
