using Cairn.Server.Grpc;
using Cairn.Server.Grpc.Client;
using Google.Protobuf;

namespace Cairn.Bench.Kv;

/// <summary>
/// One client's request, built once and re-sent with a different key each time: the key is a
/// buffer this client owns, wrapped without copying, and rewritten only after the previous call
/// has completed (the channel serializes a request before the call starts), so a request costs
/// no allocation here beyond what the gRPC client itself needs.
/// </summary>
internal abstract class KvRequestSender
{
    private readonly byte[] _key;

    protected KvRequestSender(KeySpace keys)
    {
        _key = new byte[keys.KeySize];
        Key = UnsafeByteOperations.UnsafeWrap(_key);
    }

    /// <summary>The request's key: its bytes change with each <see cref="SendAsync"/>.</summary>
    protected ByteString Key { get; }

    public Task SendAsync(long keyNumber)
    {
        KeySpace.Write(keyNumber, _key);
        return SendCurrentAsync();
    }

    protected abstract Task SendCurrentAsync();
}

/// <summary>
/// A unary KV call whose answer is checked, so that a server answering fast but wrong does not
/// look fast: <c>check</c> returns what is wrong with a response, or null.
/// </summary>
internal sealed class KvRequestSender<TRequest, TResponse> : KvRequestSender
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    private readonly GrpcChannel _channel;
    private readonly GrpcMethod<TRequest, TResponse> _method;
    private readonly TRequest _request;
    private readonly Func<TResponse, string?> _check;
    private readonly GrpcCallOptions _callOptions;

    public KvRequestSender(
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

    protected override async Task SendCurrentAsync()
    {
        var response = await _channel.UnaryAsync(_method, _request, _callOptions).ConfigureAwait(false);
        if (_check(response) is { } wrong)
        {
            throw new InvalidDataException(wrong);
        }
    }
}
