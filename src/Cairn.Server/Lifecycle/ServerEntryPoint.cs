using Cairn.Server.Api;
using Cairn.Server.Bootstrap;
using Cairn.Server.Configuration.Building;
using Cairn.Server.Configuration.Model;
using Cairn.Server.Grpc.Server;
using Cairn.Server.Hosting;
using Cairn.Server.Logging;
using Cairn.Server.Membership;

namespace Cairn.Server.Lifecycle;

/// <summary>
/// The one seam between the executable and the server: the executable parses the configuration, sets up
/// logging, signals and systemd, then calls <see cref="RunAsync"/> and exits with what it returns.
/// </summary>
public sealed class ServerEntryPoint
{
    /// <summary>etcd's grpcOverheadBytes: what a gRPC request may carry beyond --max-request-bytes.</summary>
    private const int GrpcOverheadBytes = 512 * 1024;

    /// <summary>Runs the server until <paramref name="stopping"/> is cancelled (SIGTERM/SIGINT) or it fails.</summary>
    /// <param name="configuration">The validated configuration.</param>
    /// <param name="logger">The server's logger, set up from the configuration.</param>
    /// <param name="systemd">Call <see cref="SystemdNotifier.NotifyReadyAsync"/> once clients can be served.</param>
    /// <param name="stopping">Cancelled for a graceful stop: finish in-flight applies, fsync, close.</param>
    /// <returns>The process exit status.</returns>
    public async Task<int> RunAsync(ServerConfiguration configuration, ServerLogger logger, SystemdNotifier systemd, CancellationToken stopping)
    {
        var embed = logger.ForPackage("embed");
        LogAlreadyInitialized(configuration, logger);
        // etcd binds its listeners before it opens the data dir; cairn binds them once the member can answer, but
        // says so where etcd does, so the start reads the same.
        embed.ZapInfo("configuring peer listeners", [LogField.Strings("listen-peer-urls", configuration.Urls.ListenPeer.Select(u => u.ToString()))]);
        embed.ZapInfo("configuring client listeners", [LogField.Strings("listen-client-urls", configuration.Urls.ListenClient.Select(u => u.ToString()))]);
        StartupLog.Write(configuration, logger);
        if (!WriteAheadLogExists(configuration) && configuration.Cluster.State == InitialClusterState.New)
        {
            var error = await BootstrapCheck.VerifyBootstrapAsync(configuration, cancellationToken: stopping).ConfigureAwait(false);
            if (error is not null)
            {
                return Fail(logger, error);
            }
        }

        WireServer? peers = null;
        WireServer? clients = null;
        MemberServer? server = null;
        try
        {
            server = MemberServer.Start(configuration, logger);
            var http = new HttpEndpoints(server, logger);

            peers = new WireServer(PeerOptions(configuration), new GrpcServiceRegistry(), http.PeerRoutes());
            await peers.StartAsync(stopping).ConfigureAwait(false);
            embed.ZapInfo("now serving peer/client/metrics",
                [new LogField("local-member-id", MemberIds.Format(server.Id)),
                 LogField.Strings("initial-advertise-peer-urls", configuration.Urls.AdvertisePeer.Select(u => u.ToString())),
                 LogField.Strings("listen-peer-urls", configuration.Urls.ListenPeer.Select(u => u.ToString())),
                 LogField.Strings("advertise-client-urls", configuration.Urls.AdvertiseClient.Select(u => u.ToString())),
                 LogField.Strings("listen-client-urls", configuration.Urls.ListenClient.Select(u => u.ToString())),
                 LogField.Strings("listen-metrics-urls", configuration.Urls.ListenMetrics.Select(u => u.ToString()))]);
            foreach (var listener in peers.Listeners)
            {
                embed.Info("serving peer traffic", [new LogField("address", listener.EndPoint.ToString() ?? "")],
                    capnslog: $"listening for peers on {listener.EndPoint}");
            }

            var published = await Task.WhenAny(server.Published, server.Stopped, Task.Delay(Timeout.Infinite, stopping)).ConfigureAwait(false);
            if (published != server.Published || !server.Published.IsCompletedSuccessfully)
            {
                return await StopAsync(logger, configuration, server, clients, peers, stopping.IsCancellationRequested ? null : "the member stopped before it could publish itself").ConfigureAwait(false);
            }

            clients = new WireServer(ClientOptions(configuration), ClientServices(server, logger), http.ClientRoutes());
            await clients.StartAsync(stopping).ConfigureAwait(false);
            if (logger.Format == LogFormatKind.Capnslog)
            {
                // etcd's zap logger has no such line: the "serving client traffic" one below stands for it.
                embed.Info("", capnslog: "ready to serve client requests");
            }
            foreach (var listener in clients.Listeners)
            {
                embed.Notice("serving client traffic insecurely; this is strongly discouraged!", [new LogField("address", listener.EndPoint.ToString() ?? "")],
                    capnslog: $"serving insecure client requests on {listener.EndPoint}, this is strongly discouraged!");
            }
            await NotifySystemdAsync(systemd, logger).ConfigureAwait(false);

            await Task.WhenAny(server.Stopped, Task.Delay(Timeout.Infinite, stopping)).ConfigureAwait(false);
            return await StopAsync(logger, configuration, server, clients, peers, null).ConfigureAwait(false);
        }
        catch (BootstrapException e)
        {
            await StopQuietlyAsync(server, clients, peers).ConfigureAwait(false);
            return Fail(logger, e.Message);
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or ArgumentException)
        {
            // Listener errors (address in use, cannot bind) and storage errors at start.
            await StopQuietlyAsync(server, clients, peers).ConfigureAwait(false);
            return Fail(logger, e.Message);
        }
    }

    /// <summary>READY=1 for a Type=notify unit; an unreachable socket is logged, as etcd does, and the server serves on.</summary>
    private static async Task NotifySystemdAsync(SystemdNotifier systemd, ServerLogger logger)
    {
        try
        {
            await systemd.NotifyReadyAsync().ConfigureAwait(false);
        }
        catch (System.Net.Sockets.SocketException e)
        {
            logger.ForPackage("etcdmain").Error("failed to notify systemd for readiness", [LogField.Error($"{systemd.SocketPath}: {e.Message}")],
                capnslog: $"failed to notify systemd for readiness: {systemd.SocketPath}: {e.Message}");
        }
    }

    /// <summary>etcdmain's note that the data dir already holds a member, which it then restarts.</summary>
    private static void LogAlreadyInitialized(ServerConfiguration config, ServerLogger logger)
    {
        if (!Directory.Exists(config.MemberDir))
        {
            return;
        }

        logger.ForPackage("etcdmain").Notice("server has been already initialized", [new LogField("data-dir", config.DataDir), new LogField("dir-type", "member")],
            capnslog: "the server is already initialized as member before, starting as etcd member...");
    }

    private static async Task<int> StopAsync(ServerLogger logger, ServerConfiguration config, MemberServer server, WireServer? clients, WireServer? peers, string? reason)
    {
        var embed = logger.ForPackage("embed");
        embed.ZapInfo("closing etcd server",
            [new LogField("name", config.Name), new LogField("data-dir", config.DataDir),
             LogField.Strings("advertise-peer-urls", config.Urls.AdvertisePeer.Select(u => u.ToString())),
             LogField.Strings("advertise-client-urls", config.Urls.AdvertiseClient.Select(u => u.ToString()))]);
        if (server.Membership.Members.Count(m => !m.IsLearner) <= 1)
        {
            logger.ForPackage("etcdserver").Info("skipped leadership transfer for single voting member cluster",
                [new LogField("local-member-id", MemberIds.Format(server.Id)), new LogField("current-leader-member-id", MemberIds.Format(server.Leader))],
                capnslog: "skipped leadership transfer for single voting member cluster");
        }
        if (clients is not null)
        {
            await clients.DisposeAsync().ConfigureAwait(false);
        }
        await server.DisposeAsync().ConfigureAwait(false);
        var failure = await server.Stopped.ConfigureAwait(false);
        if (peers is not null)
        {
            await peers.DisposeAsync().ConfigureAwait(false);
        }
        embed.ZapInfo("closed etcd server",
            [new LogField("name", config.Name), new LogField("data-dir", config.DataDir),
             LogField.Strings("advertise-peer-urls", config.Urls.AdvertisePeer.Select(u => u.ToString())),
             LogField.Strings("advertise-client-urls", config.Urls.AdvertiseClient.Select(u => u.ToString()))]);
        if (failure is not null || reason is not null)
        {
            return Fail(logger, reason ?? failure!.Message);
        }
        return 0;
    }

    private static async Task StopQuietlyAsync(MemberServer? server, WireServer? clients, WireServer? peers)
    {
        if (clients is not null)
        {
            await clients.DisposeAsync().ConfigureAwait(false);
        }
        if (server is not null)
        {
            await server.DisposeAsync().ConfigureAwait(false);
        }
        if (peers is not null)
        {
            await peers.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static int Fail(ServerLogger logger, string message)
    {
        logger.ForPackage("etcdmain").Fatal("discovery failed", [LogField.Error(message)], capnslog: message);
        return 1;
    }

    private static bool WriteAheadLogExists(ServerConfiguration config) => Storage.Wal.WriteAheadLog.Exists(config.WalDir);

    private static GrpcServiceRegistry ClientServices(MemberServer server, ServerLogger logger)
    {
        var registry = new GrpcServiceRegistry();
        new KvService(server).Register(registry);
        new LeaseService(server).Register(registry);
        new WatchService(server.Watches).Register(registry);
        new MaintenanceService(server, logger).Register(registry);
        new ClusterService(server).Register(registry);
        new HealthService().Register(registry);
        var keys = new Concurrency.MemberKeySpace(server);
        new LockService(new Concurrency.LockRecipe(keys)).Register(registry);
        new ElectionService(new Concurrency.ElectionRecipe(keys)).Register(registry);
        return registry;
    }

    private static WireServerOptions ClientOptions(ServerConfiguration config) => new()
    {
        ListenUrls = [.. config.Urls.ListenClient.Select(u => u.ToString())],
        MaxConcurrentStreams = (int)Math.Min(config.Requests.MaxConcurrentStreams, int.MaxValue),
        KeepAliveInterval = config.Requests.KeepAliveInterval,
        KeepAliveTimeout = config.Requests.KeepAliveTimeout,
        KeepAliveMinTime = config.Requests.KeepAliveMinTime,
        Grpc = new GrpcServerOptions { MaxReceiveMessageSize = (int)Math.Min(config.Requests.MaxRequestBytes + GrpcOverheadBytes, int.MaxValue) },
    };

    private static WireServerOptions PeerOptions(ServerConfiguration config) => new()
    {
        ListenUrls = [.. config.Urls.ListenPeer.Select(u => u.ToString())],
    };
}
