using System.Buffers;
using System.Buffers.Binary;
using Google.Protobuf;

namespace Cairn.Server.Grpc.Framing;

/// <summary>Writes one length-prefixed, uncompressed message.</summary>
internal static class GrpcMessageWriter
{
    /// <summary>
    /// Messages up to this size are serialized straight into one contiguous span: with the prefix,
    /// it fits the largest block of the server's buffer pool, so the span never comes from elsewhere.
    /// </summary>
    private const int ContiguousLimit = 64 * 1024 - GrpcProtocol.MessageHeaderSize;

    /// <summary>The serialized size of <paramref name="message"/>, checked against the send limit.</summary>
    public static int MeasureForSend(IMessage message, int maxSendMessageSize)
    {
        var size = message.CalculateSize();
        if (size > maxSendMessageSize)
        {
            throw new GrpcException(
                GrpcStatusCode.ResourceExhausted,
                $"grpc: trying to send message larger than max ({size} vs. {maxSendMessageSize})");
        }
        return size;
    }

    /// <summary>Writes prefix and message; <paramref name="size"/> comes from <see cref="MeasureForSend"/>.</summary>
    public static void Write(IBufferWriter<byte> output, IMessage message, int size)
    {
        if (size <= ContiguousLimit)
        {
            var span = output.GetSpan(GrpcProtocol.MessageHeaderSize + size);
            WriteHeader(span, size);
            message.WriteTo(span.Slice(GrpcProtocol.MessageHeaderSize, size));
            output.Advance(GrpcProtocol.MessageHeaderSize + size);
            return;
        }
        WriteHeader(output.GetSpan(GrpcProtocol.MessageHeaderSize), size);
        output.Advance(GrpcProtocol.MessageHeaderSize);
        message.WriteTo(output);
    }

    /// <summary>The whole frame in a new array (for request content of a known length).</summary>
    public static byte[] ToFrame(IMessage message, int maxSendMessageSize)
    {
        var size = MeasureForSend(message, maxSendMessageSize);
        var frame = new byte[GrpcProtocol.MessageHeaderSize + size];
        WriteHeader(frame, size);
        message.WriteTo(frame.AsSpan(GrpcProtocol.MessageHeaderSize));
        return frame;
    }

    private static void WriteHeader(Span<byte> destination, int size)
    {
        destination[0] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(destination[1..], (uint)size);
    }
}
