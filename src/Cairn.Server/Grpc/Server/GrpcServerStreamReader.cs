using Google.Protobuf;

namespace Cairn.Server.Grpc.Server;

/// <summary>The request stream of a client-streaming or duplex call.</summary>
internal sealed class GrpcServerStreamReader<T>(GrpcCallContext context, MessageParser<T> parser) : IGrpcStreamReader<T>
    where T : class, IMessage<T>
{
    private T? _current;
    private int _reading;

    public T Current => _current ?? throw new InvalidOperationException("no message has been read");

    public async ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _reading, 1) == 1)
        {
            throw new InvalidOperationException("a previous read on this stream is still in progress");
        }
        var token = CombinedToken.Create(context.CancellationToken, cancellationToken);
        try
        {
            var message = await context.Reader(unary: false).ReadAsync(parser, token.Token).ConfigureAwait(false);
            if (message is null)
            {
                return false;
            }
            context.ServerMethod.Statistics.OnMessageReceived();
            _current = message;
            return true;
        }
        catch (Exception e) when (e is not GrpcException and not OperationCanceledException)
        {
            // The transport failed under us: the client reset the stream or went away.
            throw GrpcServerErrors.FromTransport(e, context.CancellationToken);
        }
        finally
        {
            token.Dispose();
            Volatile.Write(ref _reading, 0);
        }
    }
}
