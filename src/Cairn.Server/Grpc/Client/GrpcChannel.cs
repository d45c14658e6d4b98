using System.Collections.Concurrent;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using Cairn.Server.Grpc.Framing;
using Google.Protobuf;

namespace Cairn.Server.Grpc.Client;

/// <summary>
/// A client of one gRPC server address over cleartext HTTP/2 (prior knowledge), spreading calls
/// over a fixed number of connections. Thread-safe; create once and share. Addresses are
/// <c>http://host:port</c> or <c>unix://path</c>.
/// </summary>
public sealed class GrpcChannel : IDisposable
{
    private readonly HttpMessageInvoker[] _invokers;
    private readonly Uri _baseAddress;
    private readonly ConcurrentDictionary<GrpcMethod, Uri> _uris = new();
    private int _next = -1;

    public GrpcChannel(string address, GrpcChannelOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(address);
        Options = options ?? new GrpcChannelOptions();
        if (Options.Connections < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "a channel needs at least one connection");
        }
        string? socketPath = null;
        if (address.StartsWith("unix://", StringComparison.OrdinalIgnoreCase))
        {
            socketPath = address["unix://".Length..];
            _baseAddress = new Uri("http://localhost/");
        }
        else
        {
            var uri = new Uri(address, UriKind.Absolute);
            if (uri.Scheme != Uri.UriSchemeHttp)
            {
                throw new NotSupportedException($"only http:// and unix:// addresses are supported yet: {address}");
            }
            _baseAddress = new Uri(uri.GetLeftPart(UriPartial.Authority) + "/");
        }
        Address = address;
        _invokers = new HttpMessageInvoker[Options.Connections];
        for (var i = 0; i < _invokers.Length; i++)
        {
            _invokers[i] = new HttpMessageInvoker(CreateHandler(Options, socketPath), disposeHandler: true);
        }
    }

    public string Address { get; }

    public GrpcChannelOptions Options { get; }

    /// <summary>Calls a unary method: one request, one response; a non-OK status throws <see cref="GrpcException"/>.</summary>
    public async Task<TResponse> UnaryAsync<TRequest, TResponse>(
        GrpcMethod<TRequest, TResponse> method, TRequest request, GrpcCallOptions options = default)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(request);
        var timeout = CheckDeadline(options);
        var frame = GrpcMessageWriter.ToFrame(request, Options.MaxSendMessageSize);
        using var httpRequest = CreateRequest(method, new FrameContent(frame), options, timeout);
        CancellationTokenSource? deadline = null;
        var token = options.CancellationToken;
        if (timeout is { } t)
        {
            deadline = CancellationTokenSource.CreateLinkedTokenSource(token);
            deadline.CancelAfter(t);
            token = deadline.Token;
        }
        try
        {
            using var response = await NextInvoker().SendAsync(httpRequest, token).ConfigureAwait(false);
            var failure = GrpcClientStatus.FromHeaders(response);
            if (failure is not null)
            {
                throw failure;
            }
            if (IsTrailersOnly(response))
            {
                throw NoResponseMessage();
            }
            var body = await response.Content.ReadAsStreamAsync(token).ConfigureAwait(false);
            var message = await UnaryResponseReader.ReadAsync(
                body, method.ResponseParser, Options.MaxReceiveMessageSize, IsGzip(response), token).ConfigureAwait(false);
            failure = GrpcClientStatus.FromTrailers(response, out _);
            if (failure is not null)
            {
                throw failure;
            }
            return message ?? throw NoResponseMessage();
        }
        catch (Exception e) when (e is not GrpcException)
        {
            var cancelled = options.CancellationToken.IsCancellationRequested;
            throw GrpcClientStatus.FromTransport(e, deadlineFired: !cancelled && deadline?.IsCancellationRequested == true, cancelled);
        }
        finally
        {
            deadline?.Dispose();
        }
    }

    /// <summary>Starts a server-streaming call: one request, then read the responses.</summary>
    public GrpcServerStreamingCall<TResponse> ServerStreaming<TRequest, TResponse>(
        GrpcMethod<TRequest, TResponse> method, TRequest request, GrpcCallOptions options = default)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        ArgumentNullException.ThrowIfNull(request);
        var frame = GrpcMessageWriter.ToFrame(request, Options.MaxSendMessageSize);
        return new GrpcServerStreamingCall<TResponse>(Start(method, options, new FrameContent(frame), null));
    }

    /// <summary>Starts a client-streaming call: write requests, complete, then await the response.</summary>
    public GrpcClientStreamingCall<TRequest, TResponse> ClientStreaming<TRequest, TResponse>(
        GrpcMethod<TRequest, TResponse> method, GrpcCallOptions options = default)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        var content = new StreamingRequestContent();
        return new GrpcClientStreamingCall<TRequest, TResponse>(Start(method, options, content, content));
    }

    /// <summary>Starts a duplex call: requests and responses flow independently.</summary>
    public GrpcDuplexStreamingCall<TRequest, TResponse> DuplexStreaming<TRequest, TResponse>(
        GrpcMethod<TRequest, TResponse> method, GrpcCallOptions options = default)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        var content = new StreamingRequestContent();
        return new GrpcDuplexStreamingCall<TRequest, TResponse>(Start(method, options, content, content));
    }

    public void Dispose()
    {
        foreach (var invoker in _invokers)
        {
            invoker.Dispose();
        }
    }

    internal static bool IsTrailersOnly(HttpResponseMessage response) =>
        response.Headers.NonValidated.Contains(GrpcProtocol.StatusHeader);

    internal static bool IsGzip(HttpResponseMessage response) =>
        response.Headers.NonValidated.TryGetValues(GrpcProtocol.EncodingHeader, out var values)
        && GrpcFrameDecoder.IsGzip(values.ToString());

    internal static GrpcException NoResponseMessage() =>
        new(GrpcStatusCode.Internal, "grpc: client streaming protocol violation: get <EOF>, want <nil>");

    private GrpcClientCall<TRequest, TResponse> Start<TRequest, TResponse>(
        GrpcMethod<TRequest, TResponse> method, GrpcCallOptions options, HttpContent content, StreamingRequestContent? streaming)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        ArgumentNullException.ThrowIfNull(method);
        var timeout = CheckDeadline(options);
        var request = CreateRequest(method, content, options, timeout);
        return new GrpcClientCall<TRequest, TResponse>(this, method, NextInvoker(), request, streaming, options.CancellationToken, timeout);
    }

    private static TimeSpan? CheckDeadline(in GrpcCallOptions options)
    {
        var timeout = options.Remaining();
        if (timeout is { } t && t <= TimeSpan.Zero)
        {
            throw new GrpcException(GrpcStatusCode.DeadlineExceeded, GrpcClientStatus.DeadlineExceeded);
        }
        options.CancellationToken.ThrowIfCancellationRequested();
        return timeout;
    }

    private HttpRequestMessage CreateRequest(GrpcMethod method, HttpContent content, in GrpcCallOptions options, TimeSpan? timeout)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, _uris.GetOrAdd(method, static (m, b) => new Uri(b, m.FullName), _baseAddress))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = content,
        };
        var headers = request.Headers;
        headers.TryAddWithoutValidation(GrpcProtocol.TeHeader, GrpcProtocol.TeTrailers);
        headers.TryAddWithoutValidation("user-agent", Options.UserAgent);
        if (timeout is { } t)
        {
            headers.TryAddWithoutValidation(GrpcProtocol.TimeoutHeader, GrpcTimeout.Format(t));
        }
        if (options.Headers is { } metadata)
        {
            foreach (var entry in metadata)
            {
                headers.TryAddWithoutValidation(entry.Key, entry.WireValue);
            }
        }
        return request;
    }

    private HttpMessageInvoker NextInvoker() =>
        _invokers.Length == 1 ? _invokers[0] : _invokers[(uint)Interlocked.Increment(ref _next) % (uint)_invokers.Length];

    private static SocketsHttpHandler CreateHandler(GrpcChannelOptions options, string? socketPath)
    {
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            UseCookies = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            EnableMultipleHttp2Connections = true,
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            ConnectTimeout = options.ConnectTimeout,
            InitialHttp2StreamWindowSize = options.InitialStreamWindowSize,
        };
        if (options.KeepAlivePingDelay is { } delay)
        {
            handler.KeepAlivePingDelay = delay;
            handler.KeepAlivePingTimeout = options.KeepAlivePingTimeout;
            handler.KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always;
        }
        if (socketPath is not null)
        {
            handler.ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            };
        }
        options.ConfigureHandler?.Invoke(handler);
        return handler;
    }
}
