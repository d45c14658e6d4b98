using Cairn.Server.Grpc.Server;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cairn.Server.Hosting;

/// <summary>
/// Where and how a <see cref="WireServer"/> listens. Defaults are etcd's for the client port;
/// etcd's flags map as noted on each property.
/// </summary>
public sealed record WireServerOptions
{
    /// <summary>--listen-client-urls: etcd-style URLs; the same address twice is bound once.</summary>
    public IReadOnlyList<string> ListenUrls { get; init; } = ["http://localhost:2379"];

    /// <summary>--max-concurrent-streams: streams one connection may have open (etcd: 2^32-1, no practical limit).</summary>
    public int MaxConcurrentStreams { get; init; } = int.MaxValue;

    /// <summary>
    /// --grpc-keepalive-interval: after this long without a frame from the client, the server
    /// pings it. Zero disables.
    /// </summary>
    public TimeSpan KeepAliveInterval { get; init; } = TimeSpan.FromHours(2);

    /// <summary>--grpc-keepalive-timeout: a ping unanswered this long closes the connection. Zero disables.</summary>
    public TimeSpan KeepAliveTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// --grpc-keepalive-min-time: how often a client may ping. Kept for the configuration's
    /// sake; Kestrel answers every ping and offers no hook to refuse a ping flood with GOAWAY,
    /// so it is not enforced.
    /// </summary>
    public TimeSpan KeepAliveMinTime { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>HTTP/2 connection receive window: what all streams of a connection may have in flight.</summary>
    public int InitialConnectionWindowSize { get; init; } = 16 * 1024 * 1024;

    /// <summary>HTTP/2 stream receive window: what one request stream may have in flight.</summary>
    public int InitialStreamWindowSize { get; init; } = 1024 * 1024;

    /// <summary>A connection with no open stream is closed after this long; null never (etcd: never).</summary>
    public TimeSpan? IdleConnectionTimeout { get; init; }

    /// <summary>A new connection that sends nothing for this long is closed.</summary>
    public TimeSpan FirstBytesTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Rewrite an HTTP/2 <c>:authority</c> that Kestrel would refuse (grpc-go sends
    /// <c>http://host:port</c> when etcd's client dials one endpoint, e.g. for
    /// <c>etcdctl endpoint status</c>) instead of letting Kestrel reset the stream.
    /// </summary>
    public bool RepairSchemeAuthority { get; init; } = true;

    /// <summary>Limits of the gRPC layer (message sizes).</summary>
    public GrpcServerOptions Grpc { get; init; } = new();

    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;
}
