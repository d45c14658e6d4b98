using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using Google.Protobuf;

namespace Cairn.Server.Grpc.Framing;

/// <summary>
/// Reads length-prefixed messages from a pipe, enforcing the receive limit before buffering a
/// message and checking the compressed flag against the negotiated encoding. Failures are
/// <see cref="GrpcException"/>s with grpc-go's codes and texts; transport failures (a reset
/// stream) surface as the pipe's own exceptions for the caller to map.
/// </summary>
internal sealed class GrpcMessageReader
{
    private readonly PipeReader _input;
    private readonly int _maxMessageSize;
    private readonly bool _gzip;
    private readonly bool _unary;

    /// <param name="encoding">The sender's <c>grpc-encoding</c>: null, identity or gzip.</param>
    /// <param name="unary">
    /// grpc-go words request errors of unary calls differently from stream errors; mirror it.
    /// </param>
    public GrpcMessageReader(PipeReader input, int maxMessageSize, string? encoding, bool unary)
    {
        _input = input;
        _maxMessageSize = maxMessageSize;
        _gzip = string.Equals(encoding, GrpcProtocol.GzipEncoding, StringComparison.OrdinalIgnoreCase);
        _unary = unary;
    }

    public long MessagesRead { get; private set; }

    /// <summary>The next message, or null when the sender ended the stream between messages.</summary>
    public async ValueTask<T?> ReadAsync<T>(MessageParser<T> parser, CancellationToken cancellationToken)
        where T : class, IMessage<T>
    {
        while (true)
        {
            var result = await _input.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            if (buffer.Length >= GrpcProtocol.MessageHeaderSize)
            {
                var (compressed, length) = ReadHeader(buffer);
                var frameLength = GrpcProtocol.MessageHeaderSize + (long)length;
                if (buffer.Length >= frameLength)
                {
                    var payload = buffer.Slice(GrpcProtocol.MessageHeaderSize, length);
                    T message;
                    try
                    {
                        message = Parse(parser, payload, compressed);
                    }
                    finally
                    {
                        _input.AdvanceTo(buffer.GetPosition(frameLength));
                    }
                    MessagesRead++;
                    return message;
                }
            }
            if (result.IsCompleted)
            {
                _input.AdvanceTo(buffer.End);
                if (buffer.IsEmpty)
                {
                    if (_unary)
                    {
                        throw new GrpcException(GrpcStatusCode.Unknown, "EOF");
                    }
                    return null;
                }
                throw new GrpcException(_unary ? GrpcStatusCode.Unknown : GrpcStatusCode.Internal, "unexpected EOF");
            }
            if (result.IsCanceled)
            {
                _input.AdvanceTo(buffer.Start, buffer.End);
                throw new OperationCanceledException("the read was cancelled");
            }
            // Everything was examined, so the pipe (and HTTP/2 flow control) lets more arrive.
            _input.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private (bool Compressed, int Length) ReadHeader(ReadOnlySequence<byte> buffer)
    {
        Span<byte> header = stackalloc byte[GrpcProtocol.MessageHeaderSize];
        buffer.Slice(0, GrpcProtocol.MessageHeaderSize).CopyTo(header);
        var flag = header[0];
        var length = BinaryPrimitives.ReadUInt32BigEndian(header[1..]);
        if (length > int.MaxValue)
        {
            Reject(buffer, GrpcStatusCode.ResourceExhausted,
                $"grpc: received message larger than max length allowed on current machine ({length} vs. {int.MaxValue})");
        }
        if (length > (uint)_maxMessageSize)
        {
            Reject(buffer, GrpcStatusCode.ResourceExhausted,
                $"grpc: received message larger than max ({length} vs. {_maxMessageSize})");
        }
        switch (flag)
        {
            case 0:
                return (false, (int)length);
            case 1 when _gzip:
                return (true, (int)length);
            case 1:
                Reject(buffer, GrpcStatusCode.Internal, "grpc: compressed flag set with identity or empty encoding");
                break;
            default:
                Reject(buffer, GrpcStatusCode.Internal, $"grpc: received unexpected payload format {flag}");
                break;
        }
        throw new InvalidOperationException("unreachable");
    }

    private void Reject(ReadOnlySequence<byte> buffer, GrpcStatusCode code, string detail)
    {
        _input.AdvanceTo(buffer.Start, buffer.End);
        throw new GrpcException(code, detail);
    }

    private T Parse<T>(MessageParser<T> parser, ReadOnlySequence<byte> payload, bool compressed)
        where T : class, IMessage<T>
    {
        byte[]? rented = null;
        try
        {
            if (compressed)
            {
                var size = GzipPayload.Decompress(payload, _maxMessageSize, out rented);
                if (size > _maxMessageSize)
                {
                    throw new GrpcException(GrpcStatusCode.ResourceExhausted,
                        $"grpc: received message larger than max ({size} vs. {_maxMessageSize})");
                }
                payload = new ReadOnlySequence<byte>(rented, 0, size);
            }
            return parser.ParseFrom(payload);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new GrpcException(GrpcStatusCode.Internal, _unary
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
}
