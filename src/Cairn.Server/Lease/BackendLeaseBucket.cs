using Cairn.Server.Backend;
using LeaseRecord = Cairn.Protocol.Leasepb.Lease;

namespace Cairn.Server.Lease;

/// <summary>The lease bucket of the member's backend. A write joins the batch scope the apply loop holds.</summary>
public sealed class BackendLeaseBucket(BatchedBackend backend) : ILeaseBucket
{
    public IReadOnlyList<LeaseRecord> ReadAll() => backend.Read(tx => tx.Leases());

    public void Put(LeaseRecord lease)
    {
        using var batch = backend.BeginBatch();
        batch.Transaction.PutLease(lease);
    }

    public void Delete(long id)
    {
        using var batch = backend.BeginBatch();
        batch.Transaction.DeleteLease(id);
    }
}
