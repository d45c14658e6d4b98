using System.Buffers;
using Cairn.Server.Grpc.Framing;
using Google.Protobuf;

namespace Cairn.Server.Grpc.Client;

/// <summary>
/// Reads the body of a unary response to its end (the trailers come only after it) into one
/// pooled buffer and parses the single message in it: cheaper than a pipe for the common small
/// answer, and the size limit is checked as soon as the prefix has arrived.
/// </summary>
internal static class UnaryResponseReader
{
    private const int InitialBuffer = 4096;

    /// <summary>The message, or null when the body was empty (the status then says why).</summary>
    public static async ValueTask<T?> ReadAsync<T>(
        Stream body, MessageParser<T> parser, int maxMessageSize, bool gzip, CancellationToken cancellationToken)
        where T : class, IMessage<T>
    {
        var buffer = ArrayPool<byte>.Shared.Rent(InitialBuffer);
        try
        {
            var total = 0;
            var frameLength = -1L;
            var compressed = false;
            while (true)
            {
                if (total == buffer.Length)
                {
                    // Once the prefix told the size, one step to it (plus a byte to notice extra data).
                    var wanted = Math.Max((long)buffer.Length * 2, frameLength + 1);
                    var bigger = ArrayPool<byte>.Shared.Rent((int)Math.Min(wanted, Array.MaxLength));
                    buffer.AsSpan(0, total).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }
                var read = await body.ReadAsync(buffer.AsMemory(total), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }
                total += read;
                if (frameLength < 0 && total >= GrpcProtocol.MessageHeaderSize)
                {
                    (compressed, var length) = GrpcFrameDecoder.ReadHeader(buffer.AsSpan(0, GrpcProtocol.MessageHeaderSize), maxMessageSize, gzip);
                    frameLength = GrpcProtocol.MessageHeaderSize + (long)length;
                }
                if (frameLength >= 0 && total > frameLength)
                {
                    throw new GrpcException(GrpcStatusCode.Internal, "grpc: client streaming protocol violation: get <nil>, want <EOF>");
                }
            }
            if (total == 0)
            {
                return null;
            }
            if (frameLength < 0 || total < frameLength)
            {
                throw new GrpcException(GrpcStatusCode.Internal, "unexpected EOF");
            }
            var payload = new ReadOnlySequence<byte>(buffer, GrpcProtocol.MessageHeaderSize, (int)frameLength - GrpcProtocol.MessageHeaderSize);
            return GrpcFrameDecoder.Parse(parser, payload, compressed, maxMessageSize, unary: false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
