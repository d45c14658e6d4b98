namespace Cairn.Server.Mvcc;

/// <summary>
/// The lessor's side of keys with leases, as the MVCC store needs it (etcd's
/// <c>lease.Lessor</c> Attach / Detach / GetLease). The store calls it on the applying thread
/// whenever a put or delete moves a key onto or off a lease, and at restore for every live key
/// with a lease. The lease issue provides the real one; until then <see cref="NoKeyLeases"/>.
/// </summary>
public interface IKeyLeases
{
    /// <summary>The lease the key is attached to, 0 for none.</summary>
    long LeaseOf(ReadOnlySpan<byte> key);

    void Attach(long leaseId, ReadOnlySpan<byte> key);

    void Detach(long leaseId, ReadOnlySpan<byte> key);
}

/// <summary>No lessor: keys are never tracked on leases.</summary>
public sealed class NoKeyLeases : IKeyLeases
{
    public long LeaseOf(ReadOnlySpan<byte> key) => 0;

    public void Attach(long leaseId, ReadOnlySpan<byte> key)
    {
    }

    public void Detach(long leaseId, ReadOnlySpan<byte> key)
    {
    }
}
