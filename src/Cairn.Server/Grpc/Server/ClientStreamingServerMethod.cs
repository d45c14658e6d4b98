using Google.Protobuf;

namespace Cairn.Server.Grpc.Server;

internal sealed class ClientStreamingServerMethod<TRequest, TResponse>(
    GrpcMethod<TRequest, TResponse> method, ClientStreamingHandler<TRequest, TResponse> handler)
    : ServerMethod(method)
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    internal override async Task RunAsync(GrpcCallContext context)
    {
        context.AllowIdleRequestBody();
        var requests = new GrpcServerStreamReader<TRequest>(context, method.RequestParser);
        var response = await handler(requests, context).ConfigureAwait(false);
        context.Response.WriteLastMessage(response);
        Statistics.OnMessageSent();
    }
}
