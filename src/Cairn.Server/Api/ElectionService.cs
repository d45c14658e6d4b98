using Cairn.Protocol.V3electionpb;
using Cairn.Server.Concurrency;
using Cairn.Server.Grpc;
using Cairn.Server.Grpc.Server;

namespace Cairn.Server.Api;

/// <summary>
/// etcd's Election service (etcdserver/api/v3election): clientv3's election recipe run by the
/// server itself (<see cref="ElectionRecipe"/>). Campaign waits for leadership; Proclaim and
/// Resign act on a leader key while it still stands; Leader reads the current proclamation;
/// Observe streams it and every change, ending without an error when its watch ends, as etcd's.
/// </summary>
public sealed class ElectionService(ElectionRecipe elections)
{
    public void Register(GrpcServiceRegistry registry) => registry
        .AddUnary(EtcdMethods.Election.Campaign, RecipeHandlers.Unary<CampaignRequest, CampaignResponse>(CampaignAsync))
        .AddUnary(EtcdMethods.Election.Proclaim, RecipeHandlers.Unary<ProclaimRequest, ProclaimResponse>(ProclaimAsync))
        .AddUnary(EtcdMethods.Election.Leader, RecipeHandlers.Unary<LeaderRequest, LeaderResponse>(LeaderAsync))
        .AddServerStreaming(EtcdMethods.Election.Observe, RecipeHandlers.ServerStreaming<LeaderRequest, LeaderResponse>(ObserveAsync))
        .AddUnary(EtcdMethods.Election.Resign, RecipeHandlers.Unary<ResignRequest, ResignResponse>(ResignAsync));

    private async ValueTask<CampaignResponse> CampaignAsync(CampaignRequest request, GrpcCallContext context) =>
        await elections.CampaignAsync(request.Name, request.Lease, request.Value, context.CancellationToken).ConfigureAwait(false);

    private async ValueTask<ProclaimResponse> ProclaimAsync(ProclaimRequest request, GrpcCallContext context) =>
        await elections.ProclaimAsync(request.Leader, request.Value, context.CancellationToken).ConfigureAwait(false);

    private async ValueTask<LeaderResponse> LeaderAsync(LeaderRequest request, GrpcCallContext context) =>
        await elections.LeaderAsync(request.Name, context.CancellationToken).ConfigureAwait(false);

    private async Task ObserveAsync(LeaderRequest request, IGrpcStreamWriter<LeaderResponse> responses, GrpcCallContext context)
    {
        await foreach (var leader in elections.ObserveAsync(request.Name, context.CancellationToken).ConfigureAwait(false))
        {
            await responses.WriteAsync(leader, context.CancellationToken).ConfigureAwait(false);
        }
        // etcd returns the context's error once the client is gone, and nothing (OK) when the observation ended by itself.
        context.CancellationToken.ThrowIfCancellationRequested();
    }

    private async ValueTask<ResignResponse> ResignAsync(ResignRequest request, GrpcCallContext context) =>
        await elections.ResignAsync(request.Leader, context.CancellationToken).ConfigureAwait(false);
}
