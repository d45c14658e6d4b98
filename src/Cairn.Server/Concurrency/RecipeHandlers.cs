using Cairn.Server.Errors;
using Cairn.Server.Grpc;
using Cairn.Server.Grpc.Server;

namespace Cairn.Server.Concurrency;

/// <summary>
/// Wraps the Lock and Election handlers, once at registration, so that their errors leave as etcd
/// sends them: the error's text with status Unknown (<see cref="ConcurrencyErrors.AsServiceError"/>).
/// A call its client gave up on ends as a cancelled call, not as an error of the recipe.
/// </summary>
public static class RecipeHandlers
{
    public static UnaryHandler<TRequest, TResponse> Unary<TRequest, TResponse>(UnaryHandler<TRequest, TResponse> handler) =>
        async (request, context) =>
        {
            try
            {
                return await handler(request, context).ConfigureAwait(false);
            }
            catch (EtcdException e)
            {
                throw ToStatus(e, context);
            }
        };

    public static ServerStreamingHandler<TRequest, TResponse> ServerStreaming<TRequest, TResponse>(ServerStreamingHandler<TRequest, TResponse> handler) =>
        async (request, responses, context) =>
        {
            try
            {
                await handler(request, responses, context).ConfigureAwait(false);
            }
            catch (EtcdException e)
            {
                throw ToStatus(e, context);
            }
        };

    private static Exception ToStatus(EtcdException e, GrpcCallContext context)
    {
        if (context.CancellationToken.IsCancellationRequested)
        {
            return new OperationCanceledException(context.CancellationToken);
        }
        var error = ConcurrencyErrors.AsServiceError(e.Error);
        return new GrpcException(error.Code, error.Message);
    }
}
