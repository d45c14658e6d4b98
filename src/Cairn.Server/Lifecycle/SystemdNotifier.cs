using System.Net.Sockets;
using System.Text;

namespace Cairn.Server.Lifecycle;

/// <summary>
/// systemd's sd_notify: a datagram such as "READY=1" sent to the unix socket named by $NOTIFY_SOCKET (a path, or
/// an abstract socket when it starts with '@'), for <c>Type=notify</c> units. Without $NOTIFY_SOCKET it does
/// nothing, as go-systemd's SdNotify does for etcd.
/// </summary>
public sealed class SystemdNotifier
{
    public const string ReadyState = "READY=1";
    public const string StoppingState = "STOPPING=1";

    public SystemdNotifier(string? socketPath) => SocketPath = string.IsNullOrEmpty(socketPath) ? null : socketPath;

    /// <summary>The value of $NOTIFY_SOCKET, or null when not running under systemd's notify protocol.</summary>
    public string? SocketPath { get; }

    public bool IsEnabled => SocketPath is not null;

    /// <summary>A notifier for $NOTIFY_SOCKET of this process.</summary>
    public static SystemdNotifier FromEnvironment() => new(Environment.GetEnvironmentVariable("NOTIFY_SOCKET"));

    /// <summary>Tells systemd the server is ready (call once clients can be served).</summary>
    public Task NotifyReadyAsync(CancellationToken cancellationToken = default) => NotifyAsync(ReadyState, cancellationToken);

    /// <summary>Tells systemd the server is stopping.</summary>
    public Task NotifyStoppingAsync(CancellationToken cancellationToken = default) => NotifyAsync(StoppingState, cancellationToken);

    /// <summary>Sends one state datagram. Does nothing when disabled.</summary>
    /// <exception cref="SocketException">The socket cannot be reached (etcd logs "failed to notify systemd for readiness").</exception>
    public async Task NotifyAsync(string state, CancellationToken cancellationToken = default)
    {
        if (SocketPath is null)
        {
            return;
        }

        // Linux names abstract sockets with a leading NUL; systemd writes it as '@'.
        var path = SocketPath[0] == '@' ? "\0" + SocketPath[1..] : SocketPath;
        using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken).ConfigureAwait(false);
        await socket.SendAsync(Encoding.UTF8.GetBytes(state), SocketFlags.None, cancellationToken).ConfigureAwait(false);
    }
}
