using System.Buffers;
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
        _gzip = GrpcFrameDecoder.IsGzip(encoding);
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
                        message = GrpcFrameDecoder.Parse(parser, payload, compressed, _maxMessageSize, _unary);
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
        try
        {
            return GrpcFrameDecoder.ReadHeader(header, _maxMessageSize, _gzip);
        }
        catch (GrpcException)
        {
            _input.AdvanceTo(buffer.Start, buffer.End);
            throw;
        }
    }
}
