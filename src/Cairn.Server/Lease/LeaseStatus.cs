namespace Cairn.Server.Lease;

/// <summary>
/// What LeaseTimeToLive reports of a lease: the seconds left (truncated, as etcd's
/// <c>int64(Remaining().Seconds())</c>), the granted TTL, and the attached keys in byte order
/// when asked for (etcd lists them in map order).
/// </summary>
public sealed record LeaseStatus(long Id, long RemainingSeconds, long GrantedTtl, IReadOnlyList<byte[]> Keys);
