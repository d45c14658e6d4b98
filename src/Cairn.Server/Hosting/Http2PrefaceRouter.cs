using System.Buffers;
using System.IO.Pipelines;
using Cairn.Server.Hosting.Http2;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.Extensions.Logging;

namespace Cairn.Server.Hosting;

/// <summary>
/// Lets one cleartext port speak HTTP/2 and HTTP/1.1, as etcd's client port does. Kestrel
/// serves cleartext HTTP/2 only on an endpoint that speaks nothing else, so the public
/// endpoints are HTTP/2 and this connection middleware looks at a new connection's first bytes
/// without consuming them: the HTTP/2 client preface goes on to HTTP/2, anything else is handed
/// to the connection pipeline of a second, HTTP/1.1-only endpoint that accepts nothing itself.
/// With TLS (later), ALPN does this choosing instead.
/// </summary>
internal sealed class Http2PrefaceRouter(TimeSpan prefaceTimeout, int? repairFrameSize, ILogger logger)
{
    // Far above what Kestrel's header limits let through; a block this big is Kestrel's to refuse.
    private const int MaxHeaderBlockToRepair = 256 * 1024;

    private static ReadOnlySpan<byte> Preface => "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8;

    private ConnectionDelegate? _http1;
    private long _openConnections;
    private long _acceptedConnections;

    /// <summary>Connections accepted on the public endpoints and not yet closed.</summary>
    public long OpenConnections => Volatile.Read(ref _openConnections);

    /// <summary>Connections accepted on the public endpoints since the start.</summary>
    public long AcceptedConnections => Volatile.Read(ref _acceptedConnections);

    /// <summary>Middleware for the HTTP/1.1 hand-off endpoint: remembers its connection pipeline.</summary>
    public ConnectionDelegate CaptureHttp1(ConnectionDelegate next)
    {
        _http1 = next;
        return next;
    }

    /// <summary>Middleware for a public endpoint, in front of its HTTP/2 pipeline.</summary>
    public ConnectionDelegate Route(ConnectionDelegate http2) => connection => RouteAsync(connection, http2);

    internal enum Verdict
    {
        NeedMore,
        Http2,
        Http1,
    }

    /// <summary>Decides on the first bytes: a mismatch with the preface settles it at once.</summary>
    internal static Verdict Classify(in ReadOnlySequence<byte> buffer)
    {
        Span<byte> head = stackalloc byte[Preface.Length];
        var length = (int)Math.Min(buffer.Length, Preface.Length);
        buffer.Slice(0, length).CopyTo(head);
        if (!head[..length].SequenceEqual(Preface[..length]))
        {
            return Verdict.Http1;
        }
        return length == Preface.Length ? Verdict.Http2 : Verdict.NeedMore;
    }

    private async Task RouteAsync(ConnectionContext connection, ConnectionDelegate http2)
    {
        Interlocked.Increment(ref _openConnections);
        Interlocked.Increment(ref _acceptedConnections);
        try
        {
            EnableTcpKeepAlive(connection);
            var verdict = await PeekAsync(connection).ConfigureAwait(false);
            switch (verdict)
            {
                case Verdict.Http2:
                    await ServeHttp2Async(connection, http2).ConfigureAwait(false);
                    break;
                case Verdict.Http1 when _http1 is { } http1:
                    await http1(connection).ConfigureAwait(false);
                    break;
                case Verdict.Http1:
                    logger.LogError("HTTP/1.1 connection from {Remote} dropped: the HTTP/1.1 pipeline is not bound", connection.RemoteEndPoint);
                    break;
            }
        }
        finally
        {
            Interlocked.Decrement(ref _openConnections);
        }
    }

    /// <summary>HTTP/2, reading through the <c>:authority</c> repair (see <see cref="AuthorityRepairingReader"/>) unless it is off.</summary>
    private async Task ServeHttp2Async(ConnectionContext connection, ConnectionDelegate http2)
    {
        if (repairFrameSize is not { } maxFrameSize)
        {
            await http2(connection).ConfigureAwait(false);
            return;
        }
        var transport = connection.Transport;
        connection.Transport = new RepairedTransport(
            new AuthorityRepairingReader(transport.Input, maxFrameSize, MaxHeaderBlockToRepair), transport.Output);
        try
        {
            await http2(connection).ConfigureAwait(false);
        }
        finally
        {
            connection.Transport = transport;
        }
    }

    /// <summary>NeedMore here means the connection ended or stayed silent before saying anything.</summary>
    private async Task<Verdict> PeekAsync(ConnectionContext connection)
    {
        var input = connection.Transport.Input;
        using var silence = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed);
        silence.CancelAfter(prefaceTimeout);
        try
        {
            while (true)
            {
                var result = await input.ReadAsync(silence.Token).ConfigureAwait(false);
                var buffer = result.Buffer;
                var verdict = Classify(buffer);
                if (verdict != Verdict.NeedMore)
                {
                    // Nothing consumed, nothing examined: the chosen pipeline reads it all again.
                    input.AdvanceTo(buffer.Start);
                    return verdict;
                }
                if (result.IsCompleted || result.IsCanceled)
                {
                    input.AdvanceTo(buffer.Start);
                    return buffer.IsEmpty ? Verdict.NeedMore : Verdict.Http1;
                }
                input.AdvanceTo(buffer.Start, buffer.End);
            }
        }
        catch (OperationCanceledException)
        {
            return Verdict.NeedMore;
        }
        catch (Exception e) when (e is ConnectionResetException or ConnectionAbortedException or IOException or SocketException)
        {
            return Verdict.NeedMore;
        }
    }

    private sealed class RepairedTransport(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }

    /// <summary>etcd's client listener turns on TCP keep-alive every 30 s; do the same.</summary>
    private static void EnableTcpKeepAlive(ConnectionContext connection)
    {
        var socket = connection.Features.Get<IConnectionSocketFeature>()?.Socket;
        if (socket is null || socket.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
        {
            return;
        }
        try
        {
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
            socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveTime, 30);
            socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveInterval, 30);
        }
        catch (SocketException)
        {
            // The connection may already be gone; keep-alive is a nicety.
        }
    }
}
