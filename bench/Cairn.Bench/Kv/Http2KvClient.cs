using Cairn.Bench.Http2;
using Cairn.Server.Grpc;
using Google.Protobuf;

namespace Cairn.Bench.Kv;

/// <summary>
/// Requests on hand-framed HTTP/2 connections (<see cref="Http2UnaryConnection"/>), the clients
/// dealt to them in turn, each client keeping its connection.
/// </summary>
internal sealed class Http2KvClient : IKvClient
{
    private readonly List<Http2UnaryConnection> _connections;
    private readonly TimeSpan? _timeout;
    private int _senders;

    private Http2KvClient(List<Http2UnaryConnection> connections, TimeSpan? timeout)
    {
        _connections = connections;
        _timeout = timeout;
    }

    public static async Task<Http2KvClient> ConnectAsync(Uri target, int connections, TimeSpan? timeout)
    {
        var opened = new List<Http2UnaryConnection>();
        try
        {
            for (var c = 0; c < connections; c++)
            {
                opened.Add(await Http2UnaryConnection.ConnectAsync(target).ConfigureAwait(false));
            }
        }
        catch
        {
            opened.ForEach(c => c.Dispose());
            throw;
        }
        return new Http2KvClient(opened, timeout);
    }

    public KvRequestSender Sender<TRequest, TResponse>(
        GrpcMethod<TRequest, TResponse> method, KeySpace keys, Func<ByteString, TRequest> build, Func<TResponse, string?> check)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        var connection = _connections[_senders++ % _connections.Count];
        var headers = connection.RequestHeaders(method.FullName, _timeout);
        return new Http2KvRequestSender(connection, keys, key => new Http2KvCall<TResponse>(headers, build(key), method.ResponseParser, check));
    }

    public void Dispose() => _connections.ForEach(c => c.Dispose());
}
