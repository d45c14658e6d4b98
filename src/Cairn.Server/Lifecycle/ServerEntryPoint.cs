using Cairn.Server.Configuration.Model;
using Cairn.Server.Logging;

namespace Cairn.Server.Lifecycle;

/// <summary>
/// The one seam between the executable and the server: the executable parses the configuration, sets up
/// logging, signals and systemd, then calls <see cref="RunAsync"/> and exits with what it returns.
/// </summary>
public sealed class ServerEntryPoint
{
    /// <summary>Runs the server until <paramref name="stopping"/> is cancelled (SIGTERM/SIGINT) or it fails.</summary>
    /// <param name="configuration">The validated configuration.</param>
    /// <param name="logger">The server's logger, set up from the configuration.</param>
    /// <param name="systemd">Call <see cref="SystemdNotifier.NotifyReadyAsync"/> once clients can be served.</param>
    /// <param name="stopping">Cancelled for a graceful stop: finish in-flight applies, fsync, close.</param>
    /// <returns>The process exit status.</returns>
    public Task<int> RunAsync(ServerConfiguration configuration, ServerLogger logger, SystemdNotifier systemd, CancellationToken stopping)
    {
        // Until the server is assembled, say what would have started and fail loudly rather than pretend to serve.
        logger.ForPackage("etcdmain").Error(
            "cairn server is not assembled yet; nothing was started",
            [
                new LogField("name", configuration.Name),
                new LogField("data-dir", configuration.DataDir),
                LogField.Strings("listen-client-urls", configuration.Urls.ListenClient.Select(u => u.ToString())),
                LogField.Strings("listen-peer-urls", configuration.Urls.ListenPeer.Select(u => u.ToString())),
            ]);
        return Task.FromResult(1);
    }
}
