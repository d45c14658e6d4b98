using Cairn.Protocol.Etcdserverpb;
using Cairn.Server.Apply;
using Cairn.Server.Errors;
using Cairn.Server.Mvcc;

namespace Cairn.Server.Lease;

/// <summary>
/// Applies the lease requests of committed entries (etcd's applierV3backend LeaseGrant,
/// LeaseRevoke, LeaseCheckpoint): the lessor's table changes in log order on every member, and a
/// revoke deletes every attached key in one MVCC write transaction, hence one revision, on all
/// of them. Runs on the apply loop, inside the entry's backend scope.
/// </summary>
public sealed class LeaseApplier(Lessor lessor, MvccStore store)
{
    /// <summary>The result of a lease request; null if <paramref name="request"/> is not one.</summary>
    public ApplyResult? Apply(InternalRaftRequest request)
    {
        try
        {
            return request switch
            {
                { LeaseGrant: { } grant } => ApplyResult.Success(Grant(grant)),
                { LeaseRevoke: { } revoke } => ApplyResult.Success(Revoke(revoke)),
                { LeaseCheckpoint: { } checkpoint } => ApplyResult.Success(Checkpoint(checkpoint)),
                _ => null,
            };
        }
        catch (EtcdException e)
        {
            return ApplyResult.Failure(e.Error);
        }
    }

    public LeaseGrantResponse Grant(LeaseGrantRequest request)
    {
        long ttl = lessor.Grant(request.ID, request.TTL);
        return new LeaseGrantResponse { Header = Header(), ID = request.ID, TTL = ttl };
    }

    public LeaseRevokeResponse Revoke(LeaseRevokeRequest request)
    {
        lessor.Revoke(request.ID, keys =>
        {
            using var txn = store.Write();
            foreach (var key in keys)
            {
                txn.DeleteRange(KeyRange.Single(key));
            }
        });
        return new LeaseRevokeResponse { Header = Header() };
    }

    public LeaseCheckpointResponse Checkpoint(LeaseCheckpointRequest request)
    {
        foreach (var checkpoint in request.Checkpoints)
        {
            lessor.Checkpoint(checkpoint.ID, checkpoint.RemainingTTL);
        }
        return new LeaseCheckpointResponse { Header = Header() };
    }

    private ResponseHeader Header() => new() { Revision = store.CurrentRevision };
}
