using System.IO.Pipelines;
using System.Net.Http;
using Cairn.Server.Grpc.Framing;
using Google.Protobuf;

namespace Cairn.Server.Grpc.Client;

/// <summary>The response side of a client call, which the public call types expose.</summary>
internal interface IClientCallResponses<TResponse> : IDisposable
    where TResponse : class
{
    ValueTask<TResponse?> ReadAsync(CancellationToken cancellationToken);

    Task<TResponse> ReadSingleAsync();

    Task<GrpcMetadata> ResponseHeadersAsync();

    GrpcMetadata GetTrailers();
}

/// <summary>
/// The shared machinery of a streaming call on the client: the HTTP/2 exchange, the request
/// stream (when the caller streams), the response reader, the status, and cancellation by
/// token, deadline or disposal — each of which resets the HTTP/2 stream.
/// </summary>
internal sealed class GrpcClientCall<TRequest, TResponse> : IClientCallResponses<TResponse>
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    private readonly GrpcChannel _channel;
    private readonly GrpcMethod<TRequest, TResponse> _method;
    private readonly HttpRequestMessage _request;
    private readonly StreamingRequestContent? _requestContent;
    private readonly CancellationToken _userToken;
    private readonly CancellationTokenSource _lifetime;
    private readonly CancellationTokenRegistration _userRegistration;
    private readonly Task<HttpResponseMessage> _send;
    private readonly object _gate = new();
    private HttpResponseMessage? _response;
    private PipeReader? _body;
    private GrpcMessageReader? _reader;
    private GrpcException? _failure;
    private bool _finished;
    private bool _disposed;
    private int _writing;
    private bool _requestCompleted;

    public GrpcClientCall(
        GrpcChannel channel,
        GrpcMethod<TRequest, TResponse> method,
        HttpMessageInvoker invoker,
        HttpRequestMessage request,
        StreamingRequestContent? requestContent,
        CancellationToken userToken,
        TimeSpan? timeout)
    {
        _channel = channel;
        _method = method;
        _request = request;
        _requestContent = requestContent;
        _userToken = userToken;
        _lifetime = new CancellationTokenSource();
        if (timeout is { } t)
        {
            _lifetime.CancelAfter(t);
        }
        _userRegistration = userToken.CanBeCanceled ? userToken.Register(static s => ((CancellationTokenSource)s!).Cancel(), _lifetime) : default;
        // Whatever ends the call early also tears the HTTP/2 stream down, even if no one is reading.
        _lifetime.Token.Register(static s => ((GrpcClientCall<TRequest, TResponse>)s!).Abort(), this);
        _send = invoker.SendAsync(request, _lifetime.Token);
    }

    /// <summary>The response headers' metadata, once they arrived.</summary>
    public async Task<GrpcMetadata> ResponseHeadersAsync()
    {
        var response = await ResponseAsync().ConfigureAwait(false);
        return GrpcClientStatus.ToMetadata(response.Headers);
    }

    /// <summary>The trailers' metadata; only after the response stream has ended.</summary>
    public GrpcMetadata GetTrailers()
    {
        lock (_gate)
        {
            if (!_finished || _response is null)
            {
                throw new InvalidOperationException("trailers are known only after the response stream has ended");
            }
            return _failure?.Trailers ?? GrpcClientStatus.ToMetadata(
                GrpcChannel.IsTrailersOnly(_response) ? _response.Headers : _response.TrailingHeaders);
        }
    }

    /// <summary>The next response, or null at the end of a stream that ended with OK.</summary>
    public async ValueTask<TResponse?> ReadAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_finished)
            {
                return _failure is null ? null : throw _failure;
            }
        }
        using var token = CombinedToken.Create(_lifetime.Token, cancellationToken);
        try
        {
            var response = await ResponseAsync().ConfigureAwait(false);
            if (GrpcChannel.IsTrailersOnly(response))
            {
                Finish(null);
                return null;
            }
            if (_reader is null)
            {
                var stream = await response.Content.ReadAsStreamAsync(token.Token).ConfigureAwait(false);
                _body = PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true));
                _reader = new GrpcMessageReader(_body, _channel.Options.MaxReceiveMessageSize, GrpcChannel.IsGzip(response) ? GrpcProtocol.GzipEncoding : null, unary: false);
            }
            var message = await _reader.ReadAsync(_method.ResponseParser, token.Token).ConfigureAwait(false);
            if (message is null)
            {
                var failure = GrpcClientStatus.FromTrailers(response, out _);
                Finish(failure);
                return failure is null ? null : throw failure;
            }
            return message;
        }
        catch (GrpcException e)
        {
            throw Fail(e);
        }
        catch (Exception e)
        {
            throw Fail(MapTransport(e));
        }
    }

    /// <summary>The single response of a client-streaming call (the stream must then end).</summary>
    public async Task<TResponse> ReadSingleAsync()
    {
        var message = await ReadAsync(CancellationToken.None).ConfigureAwait(false) ?? throw Fail(GrpcChannel.NoResponseMessage());
        if (await ReadAsync(CancellationToken.None).ConfigureAwait(false) is not null)
        {
            throw Fail(new GrpcException(GrpcStatusCode.Internal, "grpc: client streaming protocol violation: get <nil>, want <EOF>"));
        }
        return message;
    }

    public async ValueTask WriteAsync(TRequest message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var content = _requestContent ?? throw new InvalidOperationException("this call has no request stream");
        if (Interlocked.Exchange(ref _writing, 1) == 1)
        {
            throw new InvalidOperationException("a previous write on this stream is still in progress");
        }
        try
        {
            if (_requestCompleted)
            {
                throw new InvalidOperationException("the request stream has already been completed");
            }
            ThrowIfEnded();
            var frame = GrpcMessageWriter.ToFrame(message, _channel.Options.MaxSendMessageSize);
            using var token = CombinedToken.Create(_lifetime.Token, cancellationToken);
            try
            {
                var stream = await RequestStreamAsync(content, token.Token).ConfigureAwait(false);
                await stream.WriteAsync(frame, token.Token).ConfigureAwait(false);
                await stream.FlushAsync(token.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not GrpcException)
            {
                // The server may have ended the call already; its status says more than the broken pipe.
                throw await StatusAfterWriteFailureAsync(e).ConfigureAwait(false);
            }
        }
        finally
        {
            Volatile.Write(ref _writing, 0);
        }
    }

    public Task CompleteRequestAsync()
    {
        _requestCompleted = true;
        _requestContent?.Complete();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            if (!_finished)
            {
                _finished = true;
                _failure = new GrpcException(GrpcStatusCode.Cancelled, "the call was disposed");
            }
        }
        _lifetime.Cancel();
        _userRegistration.Dispose();
        _body?.Complete();
        _response?.Dispose();
        _request.Dispose();
        _lifetime.Dispose();
    }

    private async ValueTask<HttpResponseMessage> ResponseAsync()
    {
        if (_response is { } known)
        {
            return known;
        }
        HttpResponseMessage response;
        try
        {
            response = await _send.ConfigureAwait(false);
        }
        catch (Exception e)
        {
            throw Fail(MapTransport(e));
        }
        lock (_gate)
        {
            _response = response;
        }
        var failure = GrpcClientStatus.FromHeaders(response);
        if (failure is not null)
        {
            throw Fail(failure);
        }
        return response;
    }

    private async Task<Stream> RequestStreamAsync(StreamingRequestContent content, CancellationToken cancellationToken)
    {
        var stream = content.RequestStream;
        if (!stream.IsCompleted)
        {
            // If the exchange ends before the handler asks for the body, the body is never asked for.
            await Task.WhenAny(stream, _send).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        if (stream.IsCompletedSuccessfully)
        {
            return stream.Result;
        }
        await ResponseAsync().ConfigureAwait(false);
        ThrowIfEnded();
        throw new InvalidOperationException("the server ended the call before reading the request stream");
    }

    private async Task<GrpcException> StatusAfterWriteFailureAsync(Exception writeFailure)
    {
        if (_send.IsCompleted)
        {
            try
            {
                var response = await ResponseAsync().ConfigureAwait(false);
                if (GrpcChannel.IsTrailersOnly(response))
                {
                    return Fail(new GrpcException(GrpcStatusCode.Internal, "the server ended the call", null, writeFailure));
                }
            }
            catch (GrpcException e)
            {
                return e;
            }
        }
        return Fail(MapTransport(writeFailure));
    }

    private void ThrowIfEnded()
    {
        lock (_gate)
        {
            if (_failure is not null)
            {
                throw _failure;
            }
            if (_finished)
            {
                throw new InvalidOperationException("the call has already ended");
            }
        }
    }

    private GrpcException MapTransport(Exception e)
    {
        var cancelled = _userToken.IsCancellationRequested;
        var deadlineFired = !cancelled && !_disposed && _lifetime.IsCancellationRequested;
        return GrpcClientStatus.FromTransport(e, deadlineFired, cancelled);
    }

    private GrpcException Fail(GrpcException failure)
    {
        lock (_gate)
        {
            if (_failure is not null)
            {
                return _failure;
            }
            _failure = failure;
            _finished = true;
        }
        _requestContent?.Abort(failure);
        // Resets the HTTP/2 stream if it is still open.
        try
        {
            _lifetime.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
        return failure;
    }

    private void Finish(GrpcException? failure)
    {
        lock (_gate)
        {
            _finished = true;
            _failure ??= failure;
        }
    }

    private void Abort()
    {
        _requestContent?.Abort(new OperationCanceledException("the call was cancelled"));
        HttpResponseMessage? response;
        lock (_gate)
        {
            response = _finished && _failure is null ? null : _response;
        }
        response?.Dispose();
    }
}
