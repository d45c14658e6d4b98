using Cairn.Server.Configuration;
using Cairn.Server.Configuration.Building;
using Cairn.Server.Configuration.Model;
using Cairn.Server.Configuration.Sources;
using Cairn.Server.Logging;
using static Cairn.Server.Tests.Configuration.ConfigurationHarness;

namespace Cairn.Server.Tests.Configuration;

public class ConfigurationBuilderTests
{
    private static string[] Urls(IEnumerable<EtcdUrl> urls) => [.. urls.Select(u => u.ToString())];

    [Fact]
    public void No_flags_at_all_gives_etcds_defaults()
    {
        var result = Load([]);
        var config = result.Configuration!;
        Assert.Equal("default", config.Name);
        Assert.Equal("default.etcd", config.DataDir);
        Assert.Equal(Path.Combine("default.etcd", "member", "wal"), config.WalDir);
        Assert.Equal(Path.Combine("default.etcd", "member", "snap"), config.SnapDir);
        Assert.Equal(["http://localhost:2379"], Urls(config.Urls.ListenClient));
        Assert.Equal(["http://localhost:2379"], Urls(config.Urls.AdvertiseClient));
        Assert.Equal(["http://localhost:2380"], Urls(config.Urls.ListenPeer));
        Assert.Equal(["http://localhost:2380"], Urls(config.Urls.AdvertisePeer));
        Assert.Empty(config.Urls.ListenMetrics);
        Assert.Equal("default=http://localhost:2380", config.Cluster.InitialClusterText);
        Assert.Equal("etcd-cluster", config.Cluster.Token);
        Assert.Equal(InitialClusterState.New, config.Cluster.State);
        Assert.Equal(new SnapshotSettings(100000, 5, 5), config.Snapshots);
        Assert.Equal(new RaftSettings(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1), true, false, true), config.Raft);
        Assert.Equal(10, config.Raft.ElectionTicks);
        Assert.Equal(EtcdDefaults.QuotaBackendBytes, config.Backend.EffectiveQuotaBytes);
        Assert.Equal(TimeSpan.FromMilliseconds(100), config.Backend.EffectiveBatchInterval);
        Assert.Equal(10000, config.Backend.EffectiveBatchLimit);
        Assert.Equal(1000, config.Backend.EffectiveCompactionBatchLimit);
        Assert.Equal(new RequestLimits(128, 1572864, uint.MaxValue, TimeSpan.FromSeconds(5), TimeSpan.FromHours(2), TimeSpan.FromSeconds(20),
            TimeSpan.FromMilliseconds(100)), config.Requests);
        Assert.Equal(AutoCompactionMode.Disabled, config.Compaction.Mode);
        Assert.Equal("simple", config.Auth.Token.Type);
        Assert.Equal(10, config.Auth.BcryptCost);
        Assert.Equal(TimeSpan.FromMinutes(5), config.Auth.TokenTtl);
        Assert.Equal(TimeSpan.FromMinutes(10), config.Features.EffectiveWatchProgressNotifyInterval);
        Assert.True(config.Features.EnableGrpcGateway);
        Assert.Equal(LoggerOptions.Default, config.Logging);
        Assert.True(SupportCheck.Check(result.Values).CanStart);
        Assert.Contains("no data-dir provided, using default data-dir ./default.etcd", NoticeTexts(result));
    }

    [Fact]
    public void Name_alone_derives_data_dir_and_initial_cluster_as_etcd_does()
    {
        var config = Valid(["--name", "infra1"]);
        Assert.Equal("infra1.etcd", config.DataDir);
        Assert.Equal("infra1=http://localhost:2380", config.Cluster.InitialClusterText);
        Assert.Equal(["http://localhost:2380"], Urls(Assert.Single(config.Cluster.InitialCluster, m => m.Name == "infra1").PeerUrls));
    }

    [Fact]
    public void Name_with_advertise_peer_urls_derives_the_initial_cluster_from_them() =>
        Assert.Equal("n=http://10.1.1.1:2380,n=http://10.1.1.2:2380",
            Valid(["--name", "n", "--initial-advertise-peer-urls", "http://10.1.1.2:2380,http://10.1.1.1:2380"]).Cluster.InitialClusterText);

    [Fact]
    public void Listening_on_all_addresses_with_default_advertise_urls_advertises_the_default_host()
    {
        var result = Load(["--listen-peer-urls", "http://0.0.0.0:2380"]);
        Assert.Equal([$"http://{DefaultHost}:2380"], Urls(result.Configuration!.Urls.AdvertisePeer));
        Assert.Contains($"advertising using detected default host \"{DefaultHost}\"", NoticeTexts(result));
    }

    [Fact]
    public void Advertise_client_default_host_applies_only_where_etcd_keeps_the_default_advertise_url()
    {
        // From a config file etcd keeps the default advertise client URL, so a 0.0.0.0 listener advertises the default host.
        using var file = new TempFile("listen-client-urls: http://0.0.0.0:4001\ndata-dir: /d\n");
        Assert.Equal([$"http://{DefaultHost}:4001"], Urls(Valid(["--config-file", file.Path]).Urls.AdvertiseClient));
    }

    [Fact]
    public void Listen_client_urls_without_advertise_client_urls_is_refused_with_etcds_message()
    {
        var result = Load(["--listen-client-urls", "http://127.0.0.1:2379"]);
        Assert.Equal("--advertise-client-urls is required when --listen-client-urls is set explicitly", result.Error!.Message);
        Assert.True(result.Error.IsMissingAdvertiseClientUrls);
        Assert.NotNull(result.Logging);
    }

    [Fact]
    public void Empty_listen_client_urls_counts_as_set_as_in_etcd() =>
        Assert.Equal("--advertise-client-urls is required when --listen-client-urls is set explicitly", Error(["--listen-client-urls="]));

    [Fact]
    public void A_proxy_keeps_the_default_advertise_client_urls_as_in_etcd() =>
        Assert.Equal(["http://localhost:2379"], Urls(Valid(["--proxy", "on", "--listen-client-urls", "http://127.0.0.1:2379"]).Urls.AdvertiseClient));

    [Fact]
    public void Discovery_clears_the_default_initial_cluster()
    {
        var config = Valid(["--discovery", "https://discovery.etcd.io/abc"]);
        Assert.Equal("", config.Cluster.InitialClusterText);
        Assert.Empty(config.Cluster.InitialCluster);
        Assert.Equal("https://discovery.etcd.io/abc", config.Cluster.Discovery);
    }

    [Theory]
    [InlineData("--listen-peer-urls http://example.com:2380", "expected IP in URL for binding (http://example.com:2380)")]
    [InlineData("--listen-metrics-urls http://example.com:2381", "expected IP in URL for binding (http://example.com:2381)")]
    [InlineData("--initial-advertise-peer-urls http://:2380", "--initial-advertise-peer-urls \"http://:2380\" must be \"host:port\" (unexpected empty host (http://:2380))")]
    [InlineData("--advertise-client-urls http://:2379", "--advertise-client-urls \"http://:2379\" must be \"host:port\" (unexpected empty host (http://:2379))")]
    [InlineData("--heartbeat-interval 0", "--heartbeat-interval must be >0 (set to 0ms)")]
    [InlineData("--election-timeout 0", "--election-timeout must be >0 (set to 0ms)")]
    [InlineData("--heartbeat-interval 300", "--election-timeout[1000ms] should be at least as 5 times as --heartbeat-interval[300ms]")]
    [InlineData("--election-timeout 60000 --heartbeat-interval 1000", "--election-timeout[60000ms] is too long, and should be set less than 50000ms")]
    [InlineData("--discovery http://x:1/abc --initial-cluster a=http://localhost:2380", "multiple discovery or bootstrap flags are set. Choose one of \"initial-cluster\", \"discovery\" or \"discovery-srv\"")]
    [InlineData("--auto-compaction-mode foo", "unknown auto-compaction-mode \"foo\"")]
    [InlineData("--experimental-enable-lease-checkpoint-persist", "setting experimental-enable-lease-checkpoint-persist requires experimental-enable-lease-checkpoint")]
    [InlineData("--auto-compaction-retention=-1", "error parsing CompactionRetention: time: missing unit in duration \"-1\"")]
    [InlineData("--initial-cluster default=http://localhost:2380/x", "error setting up initial cluster: URL must not contain a path: http://localhost:2380/x")]
    [InlineData("--auth-token jwt,pub-key", "auth: invalid auth options")]
    [InlineData("--auth-token bogus", "auth: invalid auth options")]
    [InlineData("--logger bogus", "unknown logger option \"bogus\"")]
    [InlineData("--log-outputs stderr,stdout", "--logger=capnslog supports only 1 value in '--log-outputs', got [\"stderr\" \"stdout\"]")]
    [InlineData("--log-outputs /var/log/x.log", "unknown log-output \"/var/log/x.log\" (only supports \"default\", \"stderr\", \"stdout\")")]
    [InlineData("--logger zap --log-outputs default,stdout", "multi logoutput for \"default\" is not supported yet")]
    [InlineData("--logger zap --log-output stdout --log-outputs stdout", "'--log-output=[\"stdout\"]' and '--log-outputs=[\"stdout\"]' are incompatible; only set --log-outputs")]
    [InlineData("--log-level verbose", "unknown level \"verbose\" for --log-level (only supports \"debug\", \"info\", \"warn\", \"error\", \"dpanic\", \"panic\", \"fatal\")")]
    [InlineData("--listen-client-urls http://127.0.0.1:99999 --advertise-client-urls http://127.0.0.1:2379", "listen tcp: address 127.0.0.1:99999: invalid port")]
    public void Invalid_settings_fail_with_etcds_messages(string args, string message) =>
        Assert.Equal(message, Error(args.Split(' ')));

    [Fact]
    public void Election_timeout_of_exactly_five_heartbeats_and_the_maximum_are_accepted()
    {
        Assert.Equal(5, Valid(["--heartbeat-interval", "200"]).Raft.ElectionTicks);
        Assert.Equal(TimeSpan.FromSeconds(50), Valid(["--election-timeout", "50000", "--heartbeat-interval", "1000"]).Raft.ElectionTimeout);
    }

    [Fact]
    public void Localhost_and_ip_addresses_are_bindable()
    {
        var config = Valid(["--listen-client-urls", "http://localhost:2379,http://[::1]:2379,http://0.0.0.0:2379",
            "--advertise-client-urls", "http://10.0.0.1:2379"]);
        Assert.Equal(3, config.Urls.ListenClient.Length);
    }

    [Fact]
    public void Port_4001_urls_from_etcd_2_are_accepted()
    {
        var config = Valid(["--listen-client-urls", "http://192.168.0.147:2379,http://127.0.0.1:2379,http://192.168.0.147:4001",
            "--advertise-client-urls", "http://192.168.0.147:2379,http://192.168.0.147:4001"]);
        Assert.Contains(config.Urls.ListenClient, u => u.Port == 4001);
    }

    [Theory]
    [InlineData("periodic", "1", AutoCompactionMode.Periodic, 3600.0, 0L)]
    [InlineData("periodic", "5m", AutoCompactionMode.Periodic, 300.0, 0L)]
    [InlineData("periodic", "0", AutoCompactionMode.Disabled, 0.0, 0L)]
    [InlineData("revision", "1000", AutoCompactionMode.Revision, 0.0, 1000L)]
    [InlineData("", "1", AutoCompactionMode.Disabled, 0.0, 0L)]
    public void Compaction_retention_is_parsed_as_etcd_parses_it(string mode, string retention, AutoCompactionMode expectedMode, double seconds, long revisions)
    {
        var config = Valid(["--auto-compaction-mode=" + mode, "--auto-compaction-retention", retention]);
        Assert.Equal(expectedMode, config.Compaction.Mode);
        Assert.Equal(TimeSpan.FromSeconds(seconds), config.Compaction.Period);
        Assert.Equal(revisions, config.Compaction.Revisions);
        Assert.Equal(retention, config.Compaction.RetentionText);
    }

    [Fact]
    public void Compaction_retention_without_a_mode_is_not_silently_dropped() =>
        Assert.Contains("auto-compaction-retention \"1\" is ignored: auto-compaction-mode is empty",
            NoticeTexts(Load(["--auto-compaction-mode=", "--auto-compaction-retention", "1"])));

    [Fact]
    public void Initial_cluster_is_parsed_into_members_with_sorted_urls()
    {
        var config = Valid(["--name", "a", "--initial-advertise-peer-urls", "http://10.0.0.2:2380,http://10.0.0.1:2380",
            "--initial-cluster", "b=http://10.0.0.3:2380,a=http://10.0.0.2:2380,a=http://10.0.0.1:2380"]);
        Assert.Equal(["a", "b"], config.Cluster.InitialCluster.Select(m => m.Name));
        Assert.Equal(["http://10.0.0.1:2380", "http://10.0.0.2:2380"], Urls(config.Cluster.PeerUrlsOf("a")!.Value));
        Assert.Null(config.Cluster.PeerUrlsOf("c"));
    }

    [Fact]
    public void Bcrypt_cost_out_of_range_falls_back_to_ten_with_etcds_warning()
    {
        var result = Load(["--bcrypt-cost", "40"]);
        Assert.Equal(10, result.Configuration!.Auth.BcryptCost);
        Assert.Contains("Use default bcrypt-cost 10 instead of the invalid value 40", NoticeTexts(result));
    }

    [Fact]
    public void Auth_token_options_are_split()
    {
        var token = Valid(["--auth-token", "jwt,pub-key=/k.pub,priv-key=/k,sign-method=RS256"]).Auth.Token;
        Assert.Equal("jwt", token.Type);
        Assert.Equal("RS256", token.Options["sign-method"]);
        Assert.Equal(3, token.Options.Count);
    }

    [Fact]
    public void Typed_settings_come_out_typed()
    {
        var config = Valid([
            "--data-dir", "/d", "--wal-dir", "/w", "--quota-backend-bytes", "-1", "--backend-batch-interval", "10ms",
            "--backend-batch-limit", "500", "--experimental-backend-bbolt-freelist-type", "map", "--max-txn-ops", "256",
            "--max-request-bytes", "10485760", "--max-concurrent-streams", "100", "--grpc-keepalive-min-time", "1s",
            "--metrics", "extensive", "--proxy-dial-timeout", "2000", "--initial-cluster-state", "existing",
            "--experimental-watch-progress-notify-interval", "5m",
        ]);
        Assert.Equal("/w", config.WalDir);
        Assert.Null(config.Backend.EffectiveQuotaBytes);
        Assert.Equal(TimeSpan.FromMilliseconds(10), config.Backend.EffectiveBatchInterval);
        Assert.Equal(500, config.Backend.EffectiveBatchLimit);
        Assert.Equal(FreelistType.Map, config.Backend.FreelistType);
        Assert.Equal(256UL, config.Requests.MaxTxnOps);
        Assert.Equal(10485760UL, config.Requests.MaxRequestBytes);
        Assert.Equal(100U, config.Requests.MaxConcurrentStreams);
        Assert.Equal(TimeSpan.FromSeconds(1), config.Requests.KeepAliveMinTime);
        Assert.Equal(MetricsDetail.Extensive, config.Features.Metrics);
        Assert.Equal(TimeSpan.FromSeconds(2), config.Proxy.DialTimeout);
        Assert.Equal(InitialClusterState.Existing, config.Cluster.State);
        Assert.Equal(TimeSpan.FromMinutes(5), config.Features.EffectiveWatchProgressNotifyInterval);
    }

    [Fact]
    public void Logging_flags_resolve_to_logger_options()
    {
        var zap = Valid(["--logger", "zap", "--log-level", "debug", "--log-outputs", "stdout,/tmp/x.log"]).Logging;
        Assert.Equal(LogFormatKind.Zap, zap.Format);
        Assert.Equal(LogLevel.Debug, zap.MinimumLevel);
        Assert.Equal([new LogTarget(LogTargetKind.File, "/tmp/x.log"), LogTarget.Stdout], zap.Targets.ToArray());

        var capnslog = Valid(["--debug", "--log-package-levels", "etcdserver=WARNING,raft=D"]).Logging;
        Assert.Equal(LogFormatKind.Capnslog, capnslog.Format);
        Assert.Equal(LogLevel.Debug, capnslog.MinimumLevel);
        Assert.True(capnslog.ShowCaller);
        Assert.Equal(LogLevel.Warn, capnslog.PackageLevels!["etcdserver"]);
    }

    [Fact]
    public void Zap_ignores_debug_for_its_level_as_etcd_3_4_does() =>
        Assert.Equal(LogLevel.Info, Valid(["--logger", "zap", "--debug"]).Logging.MinimumLevel);

    [Fact]
    public void Deprecated_logging_flags_print_etcds_stderr_warnings()
    {
        var result = Load(["--debug", "--log-package-levels", "raft=D", "--log-output", "stdout"]);
        Assert.Equal(
        [
            "[WARNING] Deprecated '--log-output' flag is set to [\"stdout\"]",
            "Please use '--log-outputs' flag",
            "[WARNING] Deprecated '--debug' flag is set to true (use '--log-level=debug' instead",
            "[WARNING] Deprecated '--debug' flag is set to true with inconsistent '--log-level=info' flag",
            "[WARNING] Deprecated '--logger=capnslog' flag is set; use '--logger=zap' flag instead",
            "[WARNING] Deprecated '--log-package-levels=raft=D' flag is set; use '--logger=zap' flag instead",
        ], result.StderrLines.ToArray());

        // As in etcd 3.4, a single deprecated --log-output value is only warned about, not used.
        Assert.Equal([LogTarget.Stderr], result.Configuration!.Logging.Targets.ToArray());
    }

    [Fact]
    public void Zap_writes_nothing_when_dev_null_is_an_output() =>
        Assert.Contains(new LogTarget(LogTargetKind.Discard), Valid(["--logger", "zap", "--log-outputs", "/dev/null"]).Logging.Targets);

    [Fact]
    public void Lease_checkpoint_without_persistence_is_warned_about() =>
        Assert.Contains("Detected that checkpointing is enabled without persistence. Consider enabling experimental-enable-lease-checkpoint-persist",
            NoticeTexts(Load(["--experimental-enable-lease-checkpoint"])));

    [Fact]
    public void Default_host_detection_failure_is_logged_and_keeps_localhost()
    {
        var result = new ConfigurationLoader([], new FixedDefaultHost(null)).Load(CommandLineParser.Parse(["--listen-peer-urls", "http://0.0.0.0:2380"]));
        Assert.Equal(["http://localhost:2380"], Urls(result.Configuration!.Urls.AdvertisePeer));
        Assert.Contains("failed to detect default host (could not find default route)", NoticeTexts(result));
    }

    [Fact]
    public void Routing_table_default_host_reads_the_default_route()
    {
        using var table = new TempFile("Iface\tDestination\tGateway\tFlags\tRefCnt\tUse\tMetric\tMask\tMTU\tWindow\tIRTT\nlo\t00000000\t0100007F\t0003\t0\t0\t0\t00000000\t0\t0\t0\n", ".route");
        Assert.Equal("127.0.0.1", new RoutingTableDefaultHost(table.Path).Resolve(out var error));
        Assert.Null(error);

        using var empty = new TempFile("Iface\tDestination\n", ".route");
        Assert.Null(new RoutingTableDefaultHost(empty.Path).Resolve(out error));
        Assert.Equal("could not find default route", error);
    }
}
