using Cairn.Server.Errors;
using Cairn.Server.Grpc;

namespace Cairn.Server.Api;

/// <summary>etcd's errors as the gRPC status a client receives: code and exact text.</summary>
public static class GrpcErrors
{
    public static GrpcException ToGrpc(this EtcdError error) => new(error.Code, error.Message);

    /// <summary>Throws the client-facing form of <paramref name="error"/>, if any.</summary>
    public static void ThrowIfAny(EtcdError? error)
    {
        if (error is not null)
        {
            throw error.ToGrpc();
        }
    }
}

/// <summary>Wraps handlers once, at registration, so that etcd's errors leave them as gRPC statuses.</summary>
public static class EtcdHandlers
{
    public static Grpc.Server.UnaryHandler<TRequest, TResponse> Unary<TRequest, TResponse>(Grpc.Server.UnaryHandler<TRequest, TResponse> handler) =>
        async (request, context) =>
        {
            try
            {
                return await handler(request, context).ConfigureAwait(false);
            }
            catch (EtcdException e)
            {
                throw e.Error.ToGrpc();
            }
        };

    public static Grpc.Server.ServerStreamingHandler<TRequest, TResponse> ServerStreaming<TRequest, TResponse>(Grpc.Server.ServerStreamingHandler<TRequest, TResponse> handler) =>
        async (request, responses, context) =>
        {
            try
            {
                await handler(request, responses, context).ConfigureAwait(false);
            }
            catch (EtcdException e)
            {
                throw e.Error.ToGrpc();
            }
        };
}
