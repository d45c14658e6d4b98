using Google.Protobuf;

namespace Cairn.Server.Grpc.Server;

internal sealed class ServerStreamingServerMethod<TRequest, TResponse>(
    GrpcMethod<TRequest, TResponse> method, ServerStreamingHandler<TRequest, TResponse> handler)
    : ServerMethod(method)
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    internal override async Task RunAsync(GrpcCallContext context)
    {
        var request = await context.ReadSingleRequestAsync(method.RequestParser).ConfigureAwait(false);
        await handler(request, new GrpcServerStreamWriter<TResponse>(context), context).ConfigureAwait(false);
    }
}
