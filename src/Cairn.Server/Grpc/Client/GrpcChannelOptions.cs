using System.Net.Http;

namespace Cairn.Server.Grpc.Client;

/// <summary>How a <see cref="GrpcChannel"/> connects and what it accepts.</summary>
public sealed record GrpcChannelOptions
{
    /// <summary>
    /// HTTP/2 connections the channel spreads its calls over (round robin). One is what etcd's
    /// clients use; a load generator wants several.
    /// </summary>
    public int Connections { get; init; } = 1;

    /// <summary>The largest response message accepted (etcd's clientv3: 2^31-1).</summary>
    public int MaxReceiveMessageSize { get; init; } = int.MaxValue;

    /// <summary>The largest request message sent.</summary>
    public int MaxSendMessageSize { get; init; } = int.MaxValue;

    /// <summary>How long a connection attempt may take.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Client keep-alive: ping after this long without a frame; null turns pings off.</summary>
    public TimeSpan? KeepAlivePingDelay { get; init; }

    /// <summary>A ping unanswered this long closes the connection.</summary>
    public TimeSpan KeepAlivePingTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Initial HTTP/2 stream receive window (the handler grows it as needed).</summary>
    public int InitialStreamWindowSize { get; init; } = 1024 * 1024;

    /// <summary>Last say over each connection's handler (TLS settings, later).</summary>
    public Action<SocketsHttpHandler>? ConfigureHandler { get; init; }

    /// <summary>Sent as <c>user-agent</c>.</summary>
    public string UserAgent { get; init; } = "grpc-cairn/0.1";
}
