using System.Net.Sockets;
using System.Text;
using Cairn.Server.Lifecycle;
using Cairn.Tests.Processes;
using Xunit.Abstractions;

namespace Cairn.Tests;

/// <summary>
/// sd_notify for <c>Type=notify</c> units (issue 4: "when ready to serve, send READY=1 on $NOTIFY_SOCKET"): the
/// notifier alone, then real servers started with $NOTIFY_SOCKET, etcd 3.4.23 beside cairn.
/// </summary>
public class SystemdNotifierTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(ServerKind.Etcd)]
    [InlineData(ServerKind.Cairn)]
    public async Task A_server_started_by_systemd_sends_ready_once_it_serves_clients(ServerKind kind)
    {
        var path = Path.Combine(Path.GetTempPath(), "notify-" + Guid.NewGuid().ToString("N"));
        using var systemd = Listen(path);
        try
        {
            using var member = TestMember.Create();
            var ready = ReceiveAsync(systemd, ServerProcess.ReadyTimeout);
            await using var server = await ServerProcess.StartAsync(kind, member, output, environment: new Dictionary<string, string> { ["NOTIFY_SOCKET"] = path });
            Assert.Equal("READY=1", await ready);
            Assert.Equal("OK\n", await server.Etcdctl.OutputAsync("put", "notified", "yes"));
            await server.StopCleanlyAsync();
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>etcd logs the failure and serves on; systemd would time the unit out, but a server started by hand keeps working.</summary>
    [Theory]
    [InlineData(ServerKind.Etcd)]
    [InlineData(ServerKind.Cairn)]
    public async Task An_unreachable_notify_socket_is_logged_and_the_server_serves_on(ServerKind kind)
    {
        using var member = TestMember.Create();
        var socket = Path.Combine(member.Directory, "no-such-socket");
        await using var server = await ServerProcess.StartAsync(kind, member, output, environment: new Dictionary<string, string> { ["NOTIFY_SOCKET"] = socket });
        using var timeout = new CancellationTokenSource(ServerProcess.ReadyTimeout);
        await server.Log.WaitForAsync(["failed to notify systemd for readiness"], timeout.Token);
        Assert.Equal("OK\n", await server.Etcdctl.OutputAsync("put", "unnotified", "yes"));
        await server.StopCleanlyAsync();
    }

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

    private static async Task<string> ReceiveAsync(Socket socket, TimeSpan? limit = null)
    {
        var buffer = new byte[256];
        using var timeout = new CancellationTokenSource(limit ?? TimeSpan.FromSeconds(10));
        var length = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
        return Encoding.UTF8.GetString(buffer, 0, length);
    }
}
