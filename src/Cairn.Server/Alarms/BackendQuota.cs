using Cairn.Protocol.Etcdserverpb;

namespace Cairn.Server.Alarms;

/// <summary>
/// etcd's backend quota (--quota-backend-bytes): a request that adds data is charged an estimate
/// of what it adds, and fits while the backend's size plus that charge stays below the quota.
/// Requests that add nothing (reads, deletes, compactions) always fit.
/// </summary>
public sealed class BackendQuota(Func<long> backendSize, long? quotaBytes)
{
    /// <summary>etcd's estimate of a lease's cost.</summary>
    public const int LeaseOverhead = 64;

    /// <summary>etcd's estimate of a key's metadata cost.</summary>
    public const int KeyValueOverhead = 256;

    /// <summary>The quota in bytes; null when disabled (a negative --quota-backend-bytes).</summary>
    public long? QuotaBytes { get; } = quotaBytes;

    /// <summary>Whether <paramref name="request"/> fits: always when it costs nothing or the quota is off.</summary>
    public bool Fits(InternalRaftRequest request) => Fits(Cost(request));

    /// <summary>Whether a request of this <see cref="Cost(InternalRaftRequest)"/> fits.</summary>
    public bool Fits(int cost) => cost == 0 || QuotaBytes is not { } quota || backendSize() + cost < quota;

    /// <summary>etcd's Cost: puts by key and value size, a txn by its costlier branch, a lease grant flat.</summary>
    public static int Cost(InternalRaftRequest request) => request switch
    {
        { Put: { } put } => Cost(put),
        { Txn: { } txn } => Cost(txn),
        { LeaseGrant: not null } => LeaseOverhead,
        _ => 0,
    };

    public static int Cost(PutRequest put) => KeyValueOverhead + put.Key.Length + put.Value.Length;

    /// <summary>Only a branch's direct puts count, as in etcd (nested txns are not charged).</summary>
    public static int Cost(TxnRequest txn) => Math.Max(BranchCost(txn.Success), BranchCost(txn.Failure));

    private static int BranchCost(IEnumerable<RequestOp> ops) => ops.Sum(op => op.RequestPut is { } put ? Cost(put) : 0);
}
