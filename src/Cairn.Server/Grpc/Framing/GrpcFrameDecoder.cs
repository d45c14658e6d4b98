using System.Buffers;
using System.Buffers.Binary;
using Google.Protobuf;

namespace Cairn.Server.Grpc.Framing;

/// <summary>
/// Checks a message's 5-byte prefix and parses its payload, with grpc-go's codes and texts.
/// Shared by the pipe reader (server and client streams) and the client's unary reader.
/// </summary>
internal static class GrpcFrameDecoder
{
    /// <summary>
    /// Validates a prefix: the length against <paramref name="maxMessageSize"/> first (so nothing
    /// of an oversized message is buffered), then the compressed flag against the encoding.
    /// </summary>
    public static (bool Compressed, int Length) ReadHeader(ReadOnlySpan<byte> header, int maxMessageSize, bool gzip)
    {
        var flag = header[0];
        var length = BinaryPrimitives.ReadUInt32BigEndian(header[1..]);
        if (length > int.MaxValue)
        {
            throw new GrpcException(GrpcStatusCode.ResourceExhausted,
                $"grpc: received message larger than max length allowed on current machine ({length} vs. {int.MaxValue})");
        }
        if (length > (uint)maxMessageSize)
        {
            throw new GrpcException(GrpcStatusCode.ResourceExhausted,
                $"grpc: received message larger than max ({length} vs. {maxMessageSize})");
        }
        return flag switch
        {
            0 => (false, (int)length),
            1 when gzip => (true, (int)length),
            1 => throw new GrpcException(GrpcStatusCode.Internal, "grpc: compressed flag set with identity or empty encoding"),
            _ => throw new GrpcException(GrpcStatusCode.Internal, $"grpc: received unexpected payload format {flag}"),
        };
    }

    /// <param name="unary">grpc-go words a unary request's parse error differently from a stream's.</param>
    public static T Parse<T>(MessageParser<T> parser, ReadOnlySequence<byte> payload, bool compressed, int maxMessageSize, bool unary)
        where T : class, IMessage<T>
    {
        byte[]? rented = null;
        try
        {
            if (compressed)
            {
                var size = GzipPayload.Decompress(payload, maxMessageSize, out rented);
                if (size > maxMessageSize)
                {
                    throw new GrpcException(GrpcStatusCode.ResourceExhausted,
                        $"grpc: received message larger than max ({size} vs. {maxMessageSize})");
                }
                payload = new ReadOnlySequence<byte>(rented, 0, size);
            }
            return parser.ParseFrom(payload);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new GrpcException(GrpcStatusCode.Internal, unary
                ? $"grpc: error unmarshalling request: {e.Message}"
                : $"grpc: failed to unmarshal the received message {e.Message}", null, e);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    public static bool IsGzip(string? encoding) =>
        string.Equals(encoding, GrpcProtocol.GzipEncoding, StringComparison.OrdinalIgnoreCase);
}
