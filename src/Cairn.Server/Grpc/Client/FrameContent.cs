using System.Net;
using System.Net.Http;

namespace Cairn.Server.Grpc.Client;

/// <summary>The request body of a unary or server-streaming call: one frame of known length.</summary>
internal sealed class FrameContent : HttpContent
{
    private readonly byte[] _frame;

    public FrameContent(byte[] frame)
    {
        _frame = frame;
        Headers.TryAddWithoutValidation("content-type", GrpcProtocol.ContentType);
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        stream.WriteAsync(_frame).AsTask();

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken) =>
        stream.WriteAsync(_frame, cancellationToken).AsTask();

    protected override void SerializeToStream(Stream stream, TransportContext? context, CancellationToken cancellationToken) =>
        stream.Write(_frame);

    protected override bool TryComputeLength(out long length)
    {
        length = _frame.Length;
        return true;
    }
}
