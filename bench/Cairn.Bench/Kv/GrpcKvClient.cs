using Cairn.Server.Grpc;
using Cairn.Server.Grpc.Client;
using Google.Protobuf;

namespace Cairn.Bench.Kv;

/// <summary>
/// Requests through the project's gRPC client (<see cref="GrpcChannel"/>, on HttpClient's
/// HTTP/2), which spreads the calls over its connections itself: what an application on that
/// client pays, more CPU per request than either server spends (60-90 µs at 64-256 clients).
/// </summary>
internal sealed class GrpcKvClient(string target, int connections, TimeSpan? timeout) : IKvClient
{
    private readonly GrpcChannel _channel = new(target, new GrpcChannelOptions { Connections = connections });
    private readonly GrpcCallOptions _callOptions = timeout is { } t ? new GrpcCallOptions { Timeout = t } : default;

    public KvRequestSender Sender<TRequest, TResponse>(
        GrpcMethod<TRequest, TResponse> method, KeySpace keys, Func<ByteString, TRequest> build, Func<TResponse, string?> check)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse> =>
        new GrpcKvRequestSender<TRequest, TResponse>(_channel, method, keys, build, check, _callOptions);

    public void Dispose() => _channel.Dispose();
}
