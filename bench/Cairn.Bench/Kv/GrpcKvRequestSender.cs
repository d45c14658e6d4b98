using Cairn.Server.Grpc;
using Cairn.Server.Grpc.Client;
using Google.Protobuf;

namespace Cairn.Bench.Kv;

/// <summary>
/// A unary KV call through the project's gRPC client, whose answer is checked, so that a server
/// answering fast but wrong does not look fast: <c>check</c> returns what is wrong with a
/// response, or null.
/// </summary>
internal sealed class GrpcKvRequestSender<TRequest, TResponse> : KvRequestSender
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    private readonly GrpcChannel _channel;
    private readonly GrpcMethod<TRequest, TResponse> _method;
    private readonly TRequest _request;
    private readonly Func<TResponse, string?> _check;
    private readonly GrpcCallOptions _callOptions;

    public GrpcKvRequestSender(
        GrpcChannel channel, GrpcMethod<TRequest, TResponse> method, KeySpace keys,
        Func<ByteString, TRequest> build, Func<TResponse, string?> check, GrpcCallOptions callOptions)
        : base(keys)
    {
        _channel = channel;
        _method = method;
        _request = build(Key);
        _check = check;
        _callOptions = callOptions;
    }

    protected override async ValueTask SendCurrentAsync()
    {
        var response = await _channel.UnaryAsync(_method, _request, _callOptions).ConfigureAwait(false);
        if (_check(response) is { } wrong)
        {
            throw new InvalidDataException(wrong);
        }
    }
}
