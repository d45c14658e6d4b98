using System.Net.Sockets;
using System.Text;
using Cairn.Server.Lifecycle;

namespace Cairn.Tests;

public class SystemdNotifierTests
{
    [Fact]
    public async Task Ready_is_sent_as_a_datagram_to_the_notify_socket_path()
    {
        var path = Path.Combine(Path.GetTempPath(), "notify-" + Guid.NewGuid().ToString("N"));
        using var systemd = Listen(path);
        try
        {
            await new SystemdNotifier(path).NotifyReadyAsync();
            Assert.Equal("READY=1", await ReceiveAsync(systemd));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Abstract_socket_names_starting_with_at_are_reached()
    {
        var name = "cairn-notify-" + Guid.NewGuid().ToString("N");
        using var systemd = Listen("\0" + name);
        await new SystemdNotifier("@" + name).NotifyAsync(SystemdNotifier.StoppingState);
        Assert.Equal("STOPPING=1", await ReceiveAsync(systemd));
    }

    [Fact]
    public async Task Without_a_notify_socket_nothing_is_sent_and_nothing_fails()
    {
        var notifier = new SystemdNotifier(null);
        Assert.False(notifier.IsEnabled);
        await notifier.NotifyReadyAsync();
        Assert.False(new SystemdNotifier("").IsEnabled);
    }

    [Fact]
    public async Task An_unreachable_socket_is_an_error_the_server_can_log() =>
        await Assert.ThrowsAnyAsync<SocketException>(() => new SystemdNotifier("/nonexistent/notify").NotifyReadyAsync());

    private static Socket Listen(string path)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(path));
        return socket;
    }

    private static async Task<string> ReceiveAsync(Socket socket)
    {
        var buffer = new byte[256];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var length = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
        return Encoding.UTF8.GetString(buffer, 0, length);
    }
}
