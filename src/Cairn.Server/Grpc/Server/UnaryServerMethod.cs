using Google.Protobuf;

namespace Cairn.Server.Grpc.Server;

internal sealed class UnaryServerMethod<TRequest, TResponse>(
    GrpcMethod<TRequest, TResponse> method, UnaryHandler<TRequest, TResponse> handler)
    : ServerMethod(method)
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    internal override async Task RunAsync(GrpcCallContext context)
    {
        var request = await context.ReadSingleRequestAsync(method.RequestParser).ConfigureAwait(false);
        var response = await handler(request, context).ConfigureAwait(false);
        context.Response.WriteLastMessage(response);
        Statistics.OnMessageSent();
    }
}
