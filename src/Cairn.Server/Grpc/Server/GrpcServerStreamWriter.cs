using Google.Protobuf;

namespace Cairn.Server.Grpc.Server;

/// <summary>The response stream of a server-streaming or duplex call.</summary>
internal sealed class GrpcServerStreamWriter<T>(GrpcCallContext context) : IGrpcStreamWriter<T>
    where T : class, IMessage<T>
{
    public async ValueTask WriteAsync(T message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        using var token = CombinedToken.Create(context.CancellationToken, cancellationToken);
        try
        {
            await context.Response.WriteStreamMessageAsync(message, token.Token).ConfigureAwait(false);
            context.ServerMethod.Statistics.OnMessageSent();
        }
        catch (Exception e) when (e is not GrpcException and not OperationCanceledException and not InvalidOperationException)
        {
            throw GrpcServerErrors.FromTransport(e, context.CancellationToken);
        }
    }
}
