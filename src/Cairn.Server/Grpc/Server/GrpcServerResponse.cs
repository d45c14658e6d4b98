using Cairn.Server.Grpc.Framing;
using Google.Protobuf;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Cairn.Server.Grpc.Server;

/// <summary>
/// The response side of one call: headers with their custom metadata, length-prefixed messages,
/// and the status — in the trailers, or in the headers alone (trailers-only) when nothing else
/// was sent.
/// </summary>
internal sealed class GrpcServerResponse
{
    // Status codes as header values, made once.
    private static readonly string[] StatusTexts = Enumerable.Range(0, 17).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();

    private readonly IFeatureCollection _features;
    private readonly IHttpResponseFeature _response;
    private readonly IHttpResponseBodyFeature _body;
    private readonly int _maxSendMessageSize;
    private GrpcMetadata? _headers;
    private GrpcMetadata? _trailers;
    private bool _headersApplied;
    private bool _bodyWritten;
    private bool _ended;
    private int _writing;

    public GrpcServerResponse(IFeatureCollection features, IHttpResponseFeature response, IHttpResponseBodyFeature body, int maxSendMessageSize)
    {
        _features = features;
        _response = response;
        _body = body;
        _maxSendMessageSize = maxSendMessageSize;
    }

    public GrpcMetadata Headers => _headers ??= new GrpcMetadata();

    public GrpcMetadata Trailers => _trailers ??= new GrpcMetadata();

    public long MessagesWritten { get; private set; }

    /// <summary>Writes the one response of a unary or client-streaming call; the status write sends it.</summary>
    public void WriteLastMessage(IMessage message)
    {
        var size = GrpcMessageWriter.MeasureForSend(message, _maxSendMessageSize);
        ApplyHeaders();
        GrpcMessageWriter.Write(_body.Writer, message, size);
        _bodyWritten = true;
        MessagesWritten++;
    }

    /// <summary>Writes one message of a response stream and waits until the transport takes it.</summary>
    public async ValueTask WriteStreamMessageAsync(IMessage message, CancellationToken cancellationToken)
    {
        BeginWrite();
        try
        {
            Append(message, cancellationToken);
            await FlushLockedAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Volatile.Write(ref _writing, 0);
        }
    }

    /// <summary>Appends one message of a response stream without sending it; a flush or the next awaited write sends it.</summary>
    public void BufferStreamMessage(IMessage message)
    {
        BeginWrite();
        try
        {
            Append(message, CancellationToken.None);
        }
        finally
        {
            Volatile.Write(ref _writing, 0);
        }
    }

    /// <summary>Sends what was buffered and waits until the transport takes it.</summary>
    public async ValueTask FlushStreamAsync(CancellationToken cancellationToken)
    {
        BeginWrite();
        try
        {
            await FlushLockedAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Volatile.Write(ref _writing, 0);
        }
    }

    private void BeginWrite()
    {
        if (Interlocked.Exchange(ref _writing, 1) == 1)
        {
            throw new InvalidOperationException("a previous write on this stream is still in progress");
        }
    }

    private void Append(IMessage message, CancellationToken cancellationToken)
    {
        if (_ended)
        {
            throw new InvalidOperationException("the call has already ended");
        }
        cancellationToken.ThrowIfCancellationRequested();
        var size = GrpcMessageWriter.MeasureForSend(message, _maxSendMessageSize);
        ApplyHeaders();
        GrpcMessageWriter.Write(_body.Writer, message, size);
        _bodyWritten = true;
        MessagesWritten++;
    }

    private async ValueTask FlushLockedAsync(CancellationToken cancellationToken)
    {
        var flushed = await _body.Writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        if (flushed.IsCanceled)
        {
            throw new OperationCanceledException(cancellationToken);
        }
    }

    /// <summary>Sends the response headers now (a stream's first message would otherwise send them).</summary>
    public async ValueTask SendHeadersAsync(CancellationToken cancellationToken)
    {
        if (_ended)
        {
            throw new InvalidOperationException("the call has already ended");
        }
        ApplyHeaders();
        await _body.StartAsync(cancellationToken).ConfigureAwait(false);
        await _body.Writer.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Ends the call with a status; nothing can be written after it.</summary>
    public void WriteStatus(GrpcStatusCode code, string? detail)
    {
        _ended = true;
        var statusText = (uint)code < (uint)StatusTexts.Length ? StatusTexts[(int)code] : ((int)code).ToString(System.Globalization.CultureInfo.InvariantCulture);
        IHeaderDictionary target;
        if (!_bodyWritten && !_response.HasStarted)
        {
            // Trailers-only: the status travels in the one HEADERS frame, with END_STREAM.
            ApplyHeaders();
            target = _response.Headers;
        }
        else
        {
            var trailersFeature = _features.Get<IHttpResponseTrailersFeature>();
            if (trailersFeature is null || trailersFeature.Trailers.IsReadOnly)
            {
                return;
            }
            target = trailersFeature.Trailers;
        }
        target[GrpcProtocol.StatusHeader] = statusText;
        if (!string.IsNullOrEmpty(detail))
        {
            target[GrpcProtocol.MessageHeader] = GrpcStatusMessage.Encode(detail);
        }
        if (_trailers is not null)
        {
            AppendMetadata(target, _trailers.Freeze());
        }
    }

    /// <summary>True once a message was written or the headers went out: the status then goes in trailers.</summary>
    public bool HasStarted => _bodyWritten || _response.HasStarted;

    private void ApplyHeaders()
    {
        if (_headersApplied)
        {
            return;
        }
        _headersApplied = true;
        if (_headers is not null && !_response.HasStarted)
        {
            AppendMetadata(_response.Headers, _headers.Freeze());
        }
    }

    private static void AppendMetadata(IHeaderDictionary target, GrpcMetadata metadata)
    {
        foreach (var entry in metadata)
        {
            target.Append(entry.Key, entry.WireValue);
        }
    }
}
