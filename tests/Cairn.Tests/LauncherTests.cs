using System.Net.Sockets;
using System.Text;
using Cairn.Server.Configuration.Building;
using Cairn.Server.Configuration.Model;
using Cairn.Server.Lifecycle;
using Cairn.Server.Logging;
using Cairn.Tests.Processes;

namespace Cairn.Tests;

/// <summary>
/// The launcher in-process, with a stand-in server: what reaches the server seam, systemd readiness, and the
/// graceful stop on SIGTERM (sent to this test process, which the launcher's handler keeps alive).
/// </summary>
[Collection(nameof(SignalsCollection))]
public class LauncherTests
{
    private sealed class StandIn
    {
        public ServerConfiguration? Configuration { get; private set; }

        public bool Cancelled { get; private set; }

        public TaskCompletionSource Ready { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task<int> RunAsync(ServerConfiguration configuration, ServerLogger logger, SystemdNotifier systemd, CancellationToken stopping)
        {
            Configuration = configuration;
            logger.Info("stand-in server ready");
            await systemd.NotifyReadyAsync(stopping);
            Ready.SetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, stopping);
            }
            catch (OperationCanceledException)
            {
                Cancelled = true;
            }

            return 0;
        }
    }

    private static (Launcher Launcher, MemoryStream Stderr) Create(StandIn server, SystemdNotifier systemd, ShutdownSignals signals,
        params (string Key, string Value)[] environment)
    {
        var stderr = new MemoryStream();
        var launcher = new Launcher(new StandardStreams(new MemoryStream(), stderr),
            environment.Select(e => new KeyValuePair<string, string>(e.Key, e.Value)).ToList(), new FixedDefaultHost("10.0.0.5"),
            server.RunAsync, systemd, signals);
        return (launcher, stderr);
    }

    [Fact]
    public async Task The_server_gets_the_typed_configuration_and_systemd_hears_ready()
    {
        var path = Path.Combine(Path.GetTempPath(), "notify-" + Guid.NewGuid().ToString("N"));
        using var systemd = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        systemd.Bind(new UnixDomainSocketEndPoint(path));
        using var signals = new ShutdownSignals();
        var server = new StandIn();
        var (launcher, _) = Create(server, new SystemdNotifier(path), signals, ("ETCD_NAME", "n1"), ("ETCD_DATA_DIR", "/d"));
        try
        {
            var run = launcher.RunAsync(["--heartbeat-interval", "50"]);
            var buffer = new byte[64];
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var length = await systemd.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
            Assert.Equal("READY=1", Encoding.UTF8.GetString(buffer, 0, length));
            Assert.Equal("n1", server.Configuration!.Name);
            Assert.Equal(TimeSpan.FromMilliseconds(50), server.Configuration.Raft.HeartbeatInterval);

            PosixSignals.Send(Environment.ProcessId, PosixSignals.Terminate);
            Assert.Equal(0, await run.WaitAsync(TimeSpan.FromSeconds(30)));
            Assert.True(server.Cancelled);
            Assert.Equal(15, signals.ReceivedSignal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task A_refused_configuration_never_reaches_the_server()
    {
        using var signals = new ShutdownSignals();
        var server = new StandIn();
        var (launcher, stderr) = Create(server, new SystemdNotifier(null), signals);
        Assert.Equal(1, await launcher.RunAsync(["--logger", "zap", "--peer-auto-tls"]));
        Assert.Null(server.Configuration);
        var lines = Encoding.UTF8.GetString(stderr.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(lines, l => l.Contains("\"msg\":\"refusing to start: a setting is not supported yet\",\"flag\":\"--peer-auto-tls\"", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("\"error\":\"--peer-auto-tls is not supported yet: peer TLS\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_log_file_that_cannot_be_opened_is_a_configuration_error()
    {
        using var signals = new ShutdownSignals();
        var server = new StandIn();
        var (launcher, stderr) = Create(server, new SystemdNotifier(null), signals);
        Assert.Equal(1, await launcher.RunAsync(["--logger", "zap", "--log-outputs", "/nonexistent-dir/cairn.log", "--data-dir", "d"]));
        Assert.Null(server.Configuration);
        Assert.Contains("E | etcdmain: error verifying flags, open sink \"/nonexistent-dir/cairn.log\": open /nonexistent-dir/cairn.log: no such file or directory. See 'cairn --help'.", Encoding.UTF8.GetString(stderr.ToArray()));
    }
}

/// <summary>Tests that signal this process run one at a time.</summary>
[CollectionDefinition(nameof(SignalsCollection), DisableParallelization = true)]
public sealed class SignalsCollection;
