using Google.Protobuf;

namespace Cairn.Server.Grpc.Server;

internal sealed class DuplexStreamingServerMethod<TRequest, TResponse>(
    GrpcMethod<TRequest, TResponse> method, DuplexStreamingHandler<TRequest, TResponse> handler)
    : ServerMethod(method)
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    internal override Task RunAsync(GrpcCallContext context)
    {
        context.AllowIdleRequestBody();
        return handler(
            new GrpcServerStreamReader<TRequest>(context, method.RequestParser),
            new GrpcServerStreamWriter<TResponse>(context),
            context);
    }
}
