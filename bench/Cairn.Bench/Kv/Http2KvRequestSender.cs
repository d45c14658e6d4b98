using Cairn.Bench.Http2;
using Google.Protobuf;

namespace Cairn.Bench.Kv;

/// <summary>
/// A client's KV call on a hand-framed HTTP/2 connection: one <see cref="Http2KvCall{TResponse}"/>
/// made over and over, its request built once around this client's key.
/// </summary>
internal sealed class Http2KvRequestSender : KvRequestSender
{
    private readonly Http2UnaryConnection _connection;
    private readonly Http2UnaryCall _call;

    public Http2KvRequestSender(Http2UnaryConnection connection, KeySpace keys, Func<ByteString, Http2UnaryCall> call)
        : base(keys)
    {
        _connection = connection;
        _call = call(Key);
    }

    protected override ValueTask SendCurrentAsync() => _connection.CallAsync(_call);
}
