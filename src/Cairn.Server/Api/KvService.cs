using Cairn.Protocol.Etcdserverpb;
using Cairn.Server.Api.Validation;
using Cairn.Server.Apply;
using Cairn.Server.Grpc.Server;

namespace Cairn.Server.Api;

/// <summary>
/// etcd's KV service (v3rpc/key.go over v3_server.go): requests are checked as etcd checks them,
/// writes go through raft, linearizable reads wait for a read index and are then served from
/// local state, serializable reads are served at once.
/// </summary>
public sealed class KvService(MemberServer server)
{
    public void Register(GrpcServiceRegistry registry) => registry
        .AddUnary(EtcdMethods.Kv.Range, EtcdHandlers.Unary<RangeRequest, RangeResponse>(RangeAsync))
        .AddUnary(EtcdMethods.Kv.Put, EtcdHandlers.Unary<PutRequest, PutResponse>(PutAsync))
        .AddUnary(EtcdMethods.Kv.DeleteRange, EtcdHandlers.Unary<DeleteRangeRequest, DeleteRangeResponse>(DeleteRangeAsync))
        .AddUnary(EtcdMethods.Kv.Txn, EtcdHandlers.Unary<TxnRequest, TxnResponse>(TxnAsync))
        .AddUnary(EtcdMethods.Kv.Compact, EtcdHandlers.Unary<CompactionRequest, CompactionResponse>(CompactAsync));

    private async ValueTask<RangeResponse> RangeAsync(RangeRequest request, GrpcCallContext context)
    {
        GrpcErrors.ThrowIfAny(KvRequestChecks.CheckRange(request));
        if (!request.Serializable)
        {
            await server.WaitLinearizableAsync(context.CancellationToken).ConfigureAwait(false);
        }
        return WithHeader(server.Kv.Range(request), r => r.Header);
    }

    private async ValueTask<PutResponse> PutAsync(PutRequest request, GrpcCallContext context)
    {
        GrpcErrors.ThrowIfAny(KvRequestChecks.CheckPut(request));
        var result = await ProposeAsync(new InternalRaftRequest { Put = request }, context).ConfigureAwait(false);
        return WithHeader((PutResponse)result.Response!, r => r.Header);
    }

    private async ValueTask<DeleteRangeResponse> DeleteRangeAsync(DeleteRangeRequest request, GrpcCallContext context)
    {
        GrpcErrors.ThrowIfAny(KvRequestChecks.CheckDeleteRange(request));
        var result = await ProposeAsync(new InternalRaftRequest { DeleteRange = request }, context).ConfigureAwait(false);
        return WithHeader((DeleteRangeResponse)result.Response!, r => r.Header);
    }

    private async ValueTask<TxnResponse> TxnAsync(TxnRequest request, GrpcCallContext context)
    {
        GrpcErrors.ThrowIfAny(KvRequestChecks.CheckTxn(request, (int)Math.Min(server.Configuration.Requests.MaxTxnOps, int.MaxValue)));
        if (KvApplier.IsReadOnly(request))
        {
            if (!KvApplier.IsSerializable(request))
            {
                await server.WaitLinearizableAsync(context.CancellationToken).ConfigureAwait(false);
            }
            return WithHeader(server.Kv.Txn(request), r => r.Header);
        }
        var result = await ProposeAsync(new InternalRaftRequest { Txn = request }, context).ConfigureAwait(false);
        return WithHeader((TxnResponse)result.Response!, r => r.Header);
    }

    private async ValueTask<CompactionResponse> CompactAsync(CompactionRequest request, GrpcCallContext context)
    {
        var result = await ProposeAsync(new InternalRaftRequest { Compaction = request }, context).ConfigureAwait(false);
        if (request.Physical && result.PhysicalCompaction is { } physical)
        {
            await physical.WaitAsync(context.CancellationToken).ConfigureAwait(false);
            server.Backend.ForceCommit();
        }
        return WithHeader((CompactionResponse)result.Response!, r => r.Header);
    }

    private async Task<ApplyResult> ProposeAsync(InternalRaftRequest request, GrpcCallContext context)
    {
        var result = await server.ProposeAsync(request, context.CancellationToken).ConfigureAwait(false);
        if (result.Error is { } error)
        {
            if (result.PhysicalCompaction is { } physical)
            {
                await physical.ConfigureAwait(false);
            }
            throw error.ToGrpc();
        }
        return result;
    }

    /// <summary>etcd's header fill: cluster, member and term always; the revision when the applier left none.</summary>
    private T WithHeader<T>(T response, Func<T, ResponseHeader?> header)
    {
        var h = header(response);
        if (h is not null)
        {
            h.ClusterId = server.ClusterId;
            h.MemberId = server.Id;
            h.RaftTerm = server.Raft.Term;
            if (h.Revision == 0)
            {
                h.Revision = server.Store.CurrentRevision;
            }
        }
        return response;
    }
}
