using System.Net;
using Cairn.Server.Grpc.Server;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Cairn.Server.Hosting;

/// <summary>
/// Puts a set of gRPC services and HTTP routes on the wire: a Kestrel server bound to etcd-style
/// listen URLs, each port speaking gRPC and plain HTTP over HTTP/2 and plain HTTP over
/// HTTP/1.1. Start once, stop once; two of them can run in one process.
/// </summary>
public sealed class WireServer : IAsyncDisposable
{
    // HTTP/2's default; the authority repair re-frames header blocks to it.
    private const int Http2MaxFrameSize = 16 * 1024;

    private readonly WireServerOptions _options;
    private readonly HttpRouteTable _routes;
    private readonly ILogger _logger;
    private readonly Http2PrefaceRouter _router;
    private readonly List<(ListenUrl Url, ListenOptions Listen)> _listeners = [];
    private KestrelServer? _kestrel;
    private int _state;

    public WireServer(WireServerOptions options, GrpcServiceRegistry services, HttpRouteTable routes)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(routes);
        _options = options;
        _routes = routes;
        _logger = options.LoggerFactory.CreateLogger("Cairn.Wire");
        var grpcOptions = options.Grpc.Logger == Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance
            ? options.Grpc with { Logger = options.LoggerFactory.CreateLogger("Cairn.Grpc") }
            : options.Grpc;
        Services = services;
        Grpc = new GrpcDispatcher(services, grpcOptions);
        _routes.UseLogger(_logger);
        _router = new Http2PrefaceRouter(options.FirstBytesTimeout, options.RepairSchemeAuthority ? Http2MaxFrameSize : null, _logger);
    }

    public GrpcDispatcher Grpc { get; }

    /// <summary>The registered methods, with their statistics (for /metrics).</summary>
    public GrpcServiceRegistry Services { get; }

    /// <summary>Client connections open right now, on all listeners.</summary>
    public long OpenConnections => _router.OpenConnections;

    /// <summary>Client connections accepted since the start, on all listeners.</summary>
    public long AcceptedConnections => _router.AcceptedConnections;

    /// <summary>After start: each listen URL with the address really bound (a port 0 resolved).</summary>
    public IReadOnlyList<BoundListener> Listeners =>
        _listeners.Select(l => new BoundListener(l.Url, l.Listen.EndPoint)).ToList();

    /// <summary>Binds every listen URL and starts serving; throws if an address cannot be bound.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0)
        {
            throw new InvalidOperationException("the server has already been started");
        }
        var urls = _options.ListenUrls.Select(ListenUrl.Parse).ToList();
        if (urls.Count == 0)
        {
            throw new InvalidOperationException("no listen URLs given");
        }
        var secure = urls.FirstOrDefault(u => u.IsSecure);
        if (secure is not null)
        {
            throw new NotSupportedException($"TLS listeners are not supported yet: {secure}");
        }

        var kestrelOptions = CreateKestrelOptions();
        // Bound first, so its pipeline exists before any public connection can arrive.
        kestrelOptions.Listen(new HandOffEndPoint(), listen =>
        {
            listen.Protocols = HttpProtocols.Http1;
            listen.Use(_router.CaptureHttp1);
        });
        var bound = new HashSet<string>(StringComparer.Ordinal);
        foreach (var url in urls)
        {
            if (url.IsUnixSocket)
            {
                // Relative to the working directory, as etcd's; Kestrel wants it absolute.
                var path = Path.GetFullPath(url.SocketPath!);
                if (!bound.Add("unix:" + path))
                {
                    continue;
                }
                RemoveStaleSocket(path);
                kestrelOptions.ListenUnixSocket(path, listen => ConfigurePublic(url, listen));
                continue;
            }
            var endpoint = await url.ResolveAsync(cancellationToken).ConfigureAwait(false);
            if (endpoint.Port != 0 && !bound.Add(endpoint.ToString()))
            {
                continue;
            }
            kestrelOptions.Listen(endpoint, listen => ConfigurePublic(url, listen));
        }

        _kestrel = new KestrelServer(
            Options.Create(kestrelOptions), new WireTransportFactory(_options.LoggerFactory), _options.LoggerFactory);
        try
        {
            await _kestrel.StartAsync(new WireApplication(Grpc, _routes), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _kestrel.Dispose();
            _kestrel = null;
            throw;
        }
        foreach (var listener in Listeners)
        {
            _logger.LogInformation("serving client traffic on {Url} ({EndPoint})", listener.Url, listener.EndPoint);
        }
    }

    /// <summary>Stops accepting, lets in-flight requests finish until the token fires, then closes.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _state, 2) != 1 || _kestrel is null)
        {
            return;
        }
        await _kestrel.StopAsync(cancellationToken).ConfigureAwait(false);
        _kestrel.Dispose();
        foreach (var (_, listen) in _listeners)
        {
            if (listen.EndPoint is System.Net.Sockets.UnixDomainSocketEndPoint unix)
            {
                RemoveStaleSocket(unix.ToString());
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await StopAsync(grace.Token).ConfigureAwait(false);
    }

    private KestrelServerOptions CreateKestrelOptions()
    {
        var kestrel = new KestrelServerOptions { AddServerHeader = false };
        var limits = kestrel.Limits;
        // gRPC enforces its own per-message limit; a watch or lease stream may idle for hours.
        limits.MaxRequestBodySize = null;
        limits.MinRequestBodyDataRate = null;
        limits.MinResponseDataRate = null;
        // Kestrel's HTTP/2 idle timer takes Timeout.InfiniteTimeSpan as -1 ms, which closes every
        // connection that is without a stream at the next heartbeat; "never" is ten years here.
        limits.KeepAliveTimeout = _options.IdleConnectionTimeout ?? TimeSpan.FromDays(3650);
        limits.Http2.MaxFrameSize = Http2MaxFrameSize;
        limits.Http2.MaxStreamsPerConnection = _options.MaxConcurrentStreams;
        limits.Http2.InitialConnectionWindowSize = _options.InitialConnectionWindowSize;
        limits.Http2.InitialStreamWindowSize = _options.InitialStreamWindowSize;
        limits.Http2.KeepAlivePingDelay = KestrelDuration(_options.KeepAliveInterval);
        limits.Http2.KeepAlivePingTimeout = KestrelDuration(_options.KeepAliveTimeout);
        return kestrel;
    }

    /// <summary>Zero means "off" in etcd's flags and TimeSpan.MaxValue in Kestrel's; Kestrel wants at least 1 s.</summary>
    private static TimeSpan KestrelDuration(TimeSpan value) =>
        value <= TimeSpan.Zero ? TimeSpan.MaxValue : value < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : value;

    private void ConfigurePublic(ListenUrl url, ListenOptions listen)
    {
        listen.Protocols = HttpProtocols.Http2;
        listen.Use(_router.Route);
        _listeners.Add((url, listen));
    }

    private void RemoveStaleSocket(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException e)
        {
            _logger.LogWarning(e, "cannot remove unix socket {Path}", path);
        }
    }
}

/// <summary>A listen URL and the address it is bound to.</summary>
public sealed record BoundListener(ListenUrl Url, EndPoint EndPoint)
{
    /// <summary>The URL a client uses to reach it, e.g. http://127.0.0.1:41234.</summary>
    public string ClientUrl => EndPoint switch
    {
        IPEndPoint ip when ip.Address.Equals(IPAddress.IPv6Any) || ip.Address.Equals(IPAddress.Any) =>
            $"{Url.Scheme}://127.0.0.1:{ip.Port}",
        IPEndPoint ip => $"{Url.Scheme}://{(ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "[" + ip.Address + "]" : ip.Address.ToString())}:{ip.Port}",
        _ => Url.Original,
    };
}
