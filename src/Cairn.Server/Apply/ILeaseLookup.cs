namespace Cairn.Server.Apply;

/// <summary>
/// The applier's question to the lessor before a put with a lease: does the lease exist?
/// (etcd's <c>lessor.Lookup</c>). The lease issue provides the real one.
/// </summary>
public interface ILeaseLookup
{
    bool Exists(long leaseId);
}

/// <summary>No lessor: no lease exists, so a put naming one fails as etcd's does for an unknown lease.</summary>
public sealed class NoLeases : ILeaseLookup
{
    public bool Exists(long leaseId) => false;
}
