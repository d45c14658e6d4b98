using System.Net;
using System.Net.Http;

namespace Cairn.Server.Grpc.Client;

/// <summary>
/// The request body of a client-streaming or duplex call. The handler asks for the body once
/// and keeps the request stream open until the caller completes it: messages are written to
/// that stream as the caller produces them.
/// </summary>
internal sealed class StreamingRequestContent : HttpContent
{
    private readonly TaskCompletionSource<Stream> _stream = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public StreamingRequestContent()
    {
        Headers.TryAddWithoutValidation("content-type", GrpcProtocol.ContentType);
    }

    /// <summary>The request stream, once the handler has opened it.</summary>
    public Task<Stream> RequestStream => _stream.Task;

    /// <summary>Ends the request body normally (END_STREAM).</summary>
    public void Complete() => _done.TrySetResult();

    /// <summary>Ends the request body with a failure, which resets the HTTP/2 stream.</summary>
    public void Abort(Exception reason)
    {
        _stream.TrySetException(reason);
        _done.TrySetException(reason);
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        _stream.TrySetResult(stream);
        return _done.Task;
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        _stream.TrySetResult(stream);
        return _done.Task.WaitAsync(cancellationToken);
    }

    protected override bool TryComputeLength(out long length)
    {
        length = -1;
        return false;
    }
}
