using Cairn.Protocol.V3lockpb;
using Cairn.Server.Concurrency;
using Cairn.Server.Grpc.Server;

namespace Cairn.Server.Api;

/// <summary>
/// etcd's Lock service (etcdserver/api/v3lock): clientv3's mutex recipe run by the server itself
/// (<see cref="LockRecipe"/>). Lock waits until the caller holds the named lock and returns the
/// key that stands for its hold; Unlock deletes that key.
/// </summary>
public sealed class LockService(LockRecipe locks)
{
    public void Register(GrpcServiceRegistry registry) => registry
        .AddUnary(EtcdMethods.Lock.Acquire, RecipeHandlers.Unary<LockRequest, LockResponse>(LockAsync))
        .AddUnary(EtcdMethods.Lock.Unlock, RecipeHandlers.Unary<UnlockRequest, UnlockResponse>(UnlockAsync));

    private async ValueTask<LockResponse> LockAsync(LockRequest request, GrpcCallContext context) =>
        await locks.LockAsync(request.Name, request.Lease, context.CancellationToken).ConfigureAwait(false);

    private async ValueTask<UnlockResponse> UnlockAsync(UnlockRequest request, GrpcCallContext context) =>
        await locks.UnlockAsync(request.Key, context.CancellationToken).ConfigureAwait(false);
}
