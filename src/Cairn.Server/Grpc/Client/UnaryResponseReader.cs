using System.Buffers;
using Cairn.Server.Grpc.Framing;
using Google.Protobuf;

namespace Cairn.Server.Grpc.Client;

/// <summary>
/// Reads the body of a unary response to its end (the trailers come only after it): the 5-byte
/// prefix, then exactly the payload it announces, then the end of the body. Exact-size arrays
/// rather than pooled buffers, because hundreds of concurrent calls drain the shared pool's
/// per-core caches and every miss would allocate a whole pool-sized buffer instead.
/// </summary>
internal static class UnaryResponseReader
{
    /// <summary>The message, or null when the body was empty (the status then says why).</summary>
    public static async ValueTask<T?> ReadAsync<T>(
        Stream body, MessageParser<T> parser, int maxMessageSize, bool gzip, CancellationToken cancellationToken)
        where T : class, IMessage<T>
    {
        var header = new byte[GrpcProtocol.MessageHeaderSize];
        var read = await body.ReadAtLeastAsync(header, header.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        if (read == 0)
        {
            return null;
        }
        if (read < header.Length)
        {
            throw new GrpcException(GrpcStatusCode.Internal, "unexpected EOF");
        }
        var (compressed, length) = GrpcFrameDecoder.ReadHeader(header, maxMessageSize, gzip);
        var payload = length == 0 ? [] : new byte[length];
        if (await body.ReadAtLeastAsync(payload, length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false) < length)
        {
            throw new GrpcException(GrpcStatusCode.Internal, "unexpected EOF");
        }
        // The body must end here; reading to its end is also what makes the trailers available.
        if (await body.ReadAsync(header.AsMemory(0, 1), cancellationToken).ConfigureAwait(false) != 0)
        {
            throw new GrpcException(GrpcStatusCode.Internal, "grpc: client streaming protocol violation: get <nil>, want <EOF>");
        }
        return GrpcFrameDecoder.Parse(parser, new ReadOnlySequence<byte>(payload), compressed, maxMessageSize, unary: false);
    }
}
