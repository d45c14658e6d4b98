using Google.Protobuf;

namespace Cairn.Server.Grpc.Server;

/// <summary>The response stream of a server-streaming or duplex call.</summary>
internal sealed class GrpcServerStreamWriter<T>(GrpcCallContext context) : IGrpcBufferedStreamWriter<T>
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

    public void Buffer(T message)
    {
        ArgumentNullException.ThrowIfNull(message);
        context.Response.BufferStreamMessage(message);
        context.ServerMethod.Statistics.OnMessageSent();
    }

    public async ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        using var token = CombinedToken.Create(context.CancellationToken, cancellationToken);
        try
        {
            await context.Response.FlushStreamAsync(token.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not GrpcException and not OperationCanceledException and not InvalidOperationException)
        {
            throw GrpcServerErrors.FromTransport(e, context.CancellationToken);
        }
    }
}
