using Cairn.Protocol.Etcdserverpb;
using Cairn.Server.Apply;
using Cairn.Server.Errors;
using Cairn.Server.Grpc;
using Cairn.Server.Grpc.Server;
using Cairn.Server.Lease;

namespace Cairn.Server.Api;

/// <summary>
/// etcd's Lease service (v3rpc/lease.go over v3_server.go). Grant and revoke go through raft;
/// renewals and time-to-live are the leader's, answered once it has applied everything committed
/// (etcd's waitAppliedIndex), so a lease revoked by an entry committed before the call is seen
/// as gone. An unknown lease gets TTL 0 from keep-alive and TTL -1 from time-to-live, as etcd's.
/// </summary>
public sealed class LeaseService(MemberServer server)
{
    /// <summary>etcd's applyTimeout: how long a leader waits to apply what is committed before a lease read.</summary>
    private static readonly TimeSpan ApplyTimeout = TimeSpan.FromSeconds(1);

    private Lessor Lessor => server.Lessor;

    public void Register(GrpcServiceRegistry registry) => registry
        .AddUnary(EtcdMethods.Lease.LeaseGrant, EtcdHandlers.Unary<LeaseGrantRequest, LeaseGrantResponse>(GrantAsync))
        .AddUnary(EtcdMethods.Lease.LeaseRevoke, EtcdHandlers.Unary<LeaseRevokeRequest, LeaseRevokeResponse>(RevokeAsync))
        .AddDuplexStreaming(EtcdMethods.Lease.LeaseKeepAlive, KeepAliveAsync)
        .AddUnary(EtcdMethods.Lease.LeaseTimeToLive, EtcdHandlers.Unary<LeaseTimeToLiveRequest, LeaseTimeToLiveResponse>(TimeToLiveAsync))
        .AddUnary(EtcdMethods.Lease.LeaseLeases, EtcdHandlers.Unary<LeaseLeasesRequest, LeaseLeasesResponse>(LeasesAsync));

    private async ValueTask<LeaseGrantResponse> GrantAsync(LeaseGrantRequest request, GrpcCallContext context)
    {
        while (request.ID == 0)
        {
            // Only positive IDs, from the request ID generator, as etcd chooses them.
            request.ID = (long)(server.NextRequestId() & long.MaxValue);
        }
        var result = await ProposeAsync(new InternalRaftRequest { LeaseGrant = request }, context).ConfigureAwait(false);
        var response = (LeaseGrantResponse)result.Response!;
        response.Header = Header(response.Header);
        return response;
    }

    private async ValueTask<LeaseRevokeResponse> RevokeAsync(LeaseRevokeRequest request, GrpcCallContext context)
    {
        var result = await ProposeAsync(new InternalRaftRequest { LeaseRevoke = request }, context).ConfigureAwait(false);
        var response = (LeaseRevokeResponse)result.Response!;
        response.Header = Header(response.Header);
        return response;
    }

    private async Task KeepAliveAsync(
        IGrpcStreamReader<LeaseKeepAliveRequest> requests, IGrpcStreamWriter<LeaseKeepAliveResponse> responses, GrpcCallContext context)
    {
        try
        {
            while (await requests.MoveNextAsync(context.CancellationToken).ConfigureAwait(false))
            {
                long id = requests.Current.ID;
                // The header is taken before renewing: a keep-alive answered at revision r never
                // hides a revoke at or below r (etcd's order).
                var response = new LeaseKeepAliveResponse { ID = id, Header = Header(null) };
                response.TTL = await RenewAsync(id, context.CancellationToken).ConfigureAwait(false);
                await responses.WriteAsync(response, context.CancellationToken).ConfigureAwait(false);
            }
        }
        catch (EtcdException e)
        {
            throw e.Error.ToGrpc();
        }
    }

    private async ValueTask<LeaseTimeToLiveResponse> TimeToLiveAsync(LeaseTimeToLiveRequest request, GrpcCallContext context)
    {
        var status = await OnLeaderAsync(_ => Task.FromResult(Lessor.TimeToLive(request.ID, request.Keys)), context.CancellationToken)
            .ConfigureAwait(false);
        var response = new LeaseTimeToLiveResponse { Header = Header(null), ID = request.ID, TTL = -1 };
        if (status is not null)
        {
            response.TTL = status.RemainingSeconds;
            response.GrantedTTL = status.GrantedTtl;
            response.Keys.AddRange(status.Keys.Select(Google.Protobuf.ByteString.CopyFrom));
        }
        return response;
    }

    private ValueTask<LeaseLeasesResponse> LeasesAsync(LeaseLeasesRequest request, GrpcCallContext context)
    {
        var response = new LeaseLeasesResponse { Header = Header(null) };
        response.Leases.AddRange(Lessor.LeaseIdsByExpiry().Select(id => new Protocol.Etcdserverpb.LeaseStatus { ID = id }));
        return ValueTask.FromResult(response);
    }

    /// <summary>Renews on the leader; returns the granted TTL, 0 for a lease that does not exist.</summary>
    private async Task<long> RenewAsync(long id, CancellationToken cancellationToken)
    {
        if (server.Raft.IsLeader && server.Applied.Value >= server.Raft.CommittedIndex)
        {
            // The common case on a keep-alive stream: nothing to wait for, no deadline to arm.
            var direct = await Lessor.RenewAsync(id, cancellationToken).ConfigureAwait(false);
            if (direct.Status != LeaseRenewalStatus.NotPrimary)
            {
                return direct.Status == LeaseRenewalStatus.Renewed ? direct.Ttl : 0;
            }
        }
        var renewal = await OnLeaderAsync(async token =>
        {
            var r = await Lessor.RenewAsync(id, token).ConfigureAwait(false);
            // Not primary yet: the leader has not applied its first entry; ask again shortly.
            return r.Status == LeaseRenewalStatus.NotPrimary ? (LeaseRenewal?)null : r;
        }, cancellationToken, retryWhenNull: true).ConfigureAwait(false);
        return renewal!.Value.Status == LeaseRenewalStatus.Renewed ? renewal.Value.Ttl : 0;
    }

    /// <summary>
    /// Runs <paramref name="call"/> when this member leads and has applied all that is committed.
    /// Without a leader it waits up to the request timeout ("no leader" then). With
    /// <paramref name="retryWhenNull"/>, a null answer means "not yet" and the call is tried again.
    /// </summary>
    private async Task<T?> OnLeaderAsync<T>(Func<CancellationToken, Task<T?>> call, CancellationToken cancellationToken, bool retryWhenNull = false)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(server.RequestTimeout);
        try
        {
            while (true)
            {
                if (server.Raft.IsLeader)
                {
                    await WaitAppliedIndexAsync(deadline.Token).ConfigureAwait(false);
                    var answer = await call(deadline.Token).ConfigureAwait(false);
                    if (answer is not null || !retryWhenNull)
                    {
                        return answer;
                    }
                }
                else if (server.Leader != 0)
                {
                    // Another member leads: etcd forwards to it over the peer URLs.
                    throw EtcdError.Unknown("etcdserver: forwarding lease requests to the leader needs the peer transport, which this server does not have yet").ToException();
                }
                await Task.Delay(server.Configuration.Raft.HeartbeatInterval, deadline.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw (server.Leader == 0 ? EtcdErrors.NoLeader : EtcdErrors.Timeout).ToException();
        }
        catch (OperationCanceledException)
        {
            throw EtcdErrors.RequestCanceled.ToException();
        }
    }

    private async Task WaitAppliedIndexAsync(CancellationToken cancellationToken)
    {
        try
        {
            await server.Applied.WaitAsync(server.Raft.CommittedIndex, cancellationToken).WaitAsync(ApplyTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw EtcdErrors.TimeoutWaitAppliedIndex.ToException();
        }
    }

    private async Task<ApplyResult> ProposeAsync(InternalRaftRequest request, GrpcCallContext context)
    {
        var result = await server.ProposeAsync(request, context.CancellationToken).ConfigureAwait(false);
        if (result.Error is { } error)
        {
            throw error.ToGrpc();
        }
        return result;
    }

    /// <summary>etcd's header fill: cluster, member and term; the revision when the applier left none.</summary>
    private ResponseHeader Header(ResponseHeader? applied) =>
        server.Header(applied is { Revision: > 0 } ? applied.Revision : server.Store.CurrentRevision);
}
