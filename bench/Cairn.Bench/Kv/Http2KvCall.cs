using Cairn.Bench.Http2;
using Google.Protobuf;

namespace Cairn.Bench.Kv;

/// <summary>
/// A unary KV call checked as the gRPC client's calls are (<c>check</c> returns what is wrong
/// with a response, or null): the request serialized straight into the call's buffer, the
/// response parsed from the received bytes, on the connection's reader thread.
/// </summary>
internal sealed class Http2KvCall<TResponse>(byte[] headers, IMessage request, MessageParser<TResponse> parser, Func<TResponse, string?> check)
    : Http2UnaryCall(headers)
    where TResponse : IMessage<TResponse>
{
    protected override int MessageSize() => request.CalculateSize();

    protected override void WriteMessage(Span<byte> destination) => request.WriteTo(destination);

    protected override void OnResponse(ReadOnlySpan<byte> message)
    {
        if (check(parser.ParseFrom(message)) is { } wrong)
        {
            throw new InvalidDataException(wrong);
        }
    }
}
