using Google.Protobuf;

namespace Cairn.Server.Grpc.Client;

/// <summary>The response stream of a client call, read through its core.</summary>
internal sealed class ClientResponseStream<TResponse>(IClientCallResponses<TResponse> call) : IGrpcStreamReader<TResponse>
    where TResponse : class
{
    private TResponse? _current;
    private int _reading;

    public TResponse Current => _current ?? throw new InvalidOperationException("no message has been read");

    public async ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _reading, 1) == 1)
        {
            throw new InvalidOperationException("a previous read on this stream is still in progress");
        }
        try
        {
            var message = await call.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (message is null)
            {
                return false;
            }
            _current = message;
            return true;
        }
        finally
        {
            Volatile.Write(ref _reading, 0);
        }
    }
}

/// <summary>The request stream of a client call, written through its core.</summary>
internal sealed class ClientRequestStream<TRequest, TResponse>(GrpcClientCall<TRequest, TResponse> call) : IGrpcClientStreamWriter<TRequest>
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    public ValueTask WriteAsync(TRequest message, CancellationToken cancellationToken = default) => call.WriteAsync(message, cancellationToken);

    public Task CompleteAsync() => call.CompleteRequestAsync();
}
