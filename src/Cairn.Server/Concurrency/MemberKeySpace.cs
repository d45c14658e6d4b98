using Cairn.Protocol.Etcdserverpb;
using Cairn.Server.Api.Validation;
using Cairn.Server.Apply;
using Cairn.Server.Errors;
using Google.Protobuf;

namespace Cairn.Server.Concurrency;

/// <summary>
/// The member's key space as clientv3's recipes use it, without a client: transactions and
/// deletes proposed through raft, linearizable ranges, lease grants, and watches on the member's
/// hub. Requests are checked and answered as the KV service checks and answers them (same errors,
/// same headers); a failure is thrown as an <see cref="EtcdException"/> carrying etcd's error.
/// </summary>
public sealed class MemberKeySpace(MemberServer server)
{
    /// <summary>clientv3's default session TTL, which etcd's services grant a lease with when the caller names none.</summary>
    public const long DefaultSessionTtl = 60;

    /// <summary>etcd's request timeout: the bound on clean-up writes made after the caller went away.</summary>
    public TimeSpan RequestTimeout => server.RequestTimeout;

    public async Task<TxnResponse> TxnAsync(TxnRequest request, CancellationToken cancellationToken)
    {
        ThrowIfAny(KvRequestChecks.CheckTxn(request, (int)Math.Min(server.Configuration.Requests.MaxTxnOps, int.MaxValue)));
        var result = await ProposeAsync(new InternalRaftRequest { Txn = request }, cancellationToken).ConfigureAwait(false);
        var response = (TxnResponse)result.Response!;
        FillHeader(response.Header);
        return response;
    }

    public async Task<DeleteRangeResponse> DeleteAsync(byte[] key, CancellationToken cancellationToken)
    {
        var request = new DeleteRangeRequest { Key = ByteString.CopyFrom(key) };
        ThrowIfAny(KvRequestChecks.CheckDeleteRange(request));
        var result = await ProposeAsync(new InternalRaftRequest { DeleteRange = request }, cancellationToken).ConfigureAwait(false);
        var response = (DeleteRangeResponse)result.Response!;
        FillHeader(response.Header);
        return response;
    }

    /// <summary>A linearizable range: it sees every write committed before the call.</summary>
    public async Task<RangeResponse> RangeAsync(RangeRequest request, CancellationToken cancellationToken)
    {
        ThrowIfAny(KvRequestChecks.CheckRange(request));
        await server.WaitLinearizableAsync(cancellationToken).ConfigureAwait(false);
        var response = server.Kv.Range(request);
        FillHeader(response.Header);
        return response;
    }

    /// <summary>Grants a lease with a server-chosen ID (as the Lease service does for ID 0); returns the ID.</summary>
    public async Task<long> GrantAsync(long ttl, CancellationToken cancellationToken)
    {
        long id = 0;
        while (id == 0)
        {
            id = (long)(server.NextRequestId() & long.MaxValue);
        }
        await ProposeAsync(new InternalRaftRequest { LeaseGrant = new LeaseGrantRequest { ID = id, TTL = ttl } }, cancellationToken).ConfigureAwait(false);
        return id;
    }

    /// <summary>
    /// etcd's session for a request: the caller's lease, or a new lease of the default session
    /// TTL when it names none (0). The session is never kept alive: etcd's services orphan it.
    /// </summary>
    public async Task<long> SessionLeaseAsync(long lease, CancellationToken cancellationToken) =>
        lease != 0 ? lease : await GrantAsync(DefaultSessionTtl, cancellationToken).ConfigureAwait(false);

    /// <summary>A watch stream on the member's hub.</summary>
    internal HubWatch OpenWatch() => new(server.Watches);

    private async Task<ApplyResult> ProposeAsync(InternalRaftRequest request, CancellationToken cancellationToken)
    {
        var result = await server.ProposeAsync(request, cancellationToken).ConfigureAwait(false);
        ThrowIfAny(result.Error);
        return result;
    }

    private void FillHeader(ResponseHeader header)
    {
        header.ClusterId = server.ClusterId;
        header.MemberId = server.Id;
        header.RaftTerm = server.Raft.Term;
        if (header.Revision == 0)
        {
            header.Revision = server.Store.CurrentRevision;
        }
    }

    private static void ThrowIfAny(EtcdError? error)
    {
        if (error is not null)
        {
            throw error.ToException();
        }
    }
}
