using System.Collections.Immutable;
using Cairn.Server.Configuration.Flags;
using Cairn.Server.Configuration.Model;
using Cairn.Server.Configuration.Syntax;
using Cairn.Server.Logging;

namespace Cairn.Server.Configuration.Building;

/// <summary>
/// Turns flag values into the typed <see cref="ServerConfiguration"/>, doing what etcd does between parsing and
/// starting: its defaulting (no advertise client URLs when only listen URLs are given; no initial cluster with
/// discovery; initial cluster and advertise host derived from the name and the default route; data dir
/// "${name}.etcd"), its validation, and the parsing etcd leaves to the server (initial cluster, compaction
/// retention, auth token), so nothing is left as text for the server to parse.
/// </summary>
public static class ConfigurationBuilder
{
    /// <summary>Builds and validates the configuration.</summary>
    /// <param name="values">Resolved flag values.</param>
    /// <param name="configFile">The config file they came from, or null for flags and environment.</param>
    /// <param name="logging">The resolved logging options.</param>
    /// <param name="hosts">Finds the default host for advertise URLs.</param>
    /// <param name="notices">Receives log lines to write.</param>
    /// <exception cref="ConfigurationException">etcd would refuse these settings.</exception>
    public static ServerConfiguration Build(FlagValues values, string? configFile, LoggerOptions logging, IDefaultHostResolver hosts,
        ImmutableArray<StartupNotice>.Builder notices)
    {
        var listenPeer = values.Urls("listen-peer-urls").Urls;
        var listenClient = values.Urls("listen-client-urls").Urls;
        var listenMetrics = values.Urls("listen-metrics-urls").Urls;
        var advertisePeer = values.Urls("initial-advertise-peer-urls").Urls;
        var advertiseClient = values.Urls("advertise-client-urls").Urls;
        var initialCluster = values.String("initial-cluster");
        var clusterState = values.String("initial-cluster-state");
        var discovery = values.String("discovery");
        var discoverySrv = values.String("discovery-srv");
        var mayBeProxy = values.String("proxy") != "off" || (discovery.Length != 0 && values.String("discovery-fallback") == "proxy");

        if (configFile is null)
        {
            // etcdmain.configFromCmdLine: listen client URLs without advertise client URLs drop the default ones.
            if (!mayBeProxy && values.IsSet("listen-client-urls") && !values.IsSet("advertise-client-urls"))
            {
                advertiseClient = [];
            }

            if ((discovery.Length != 0 || discoverySrv.Length != 0 || values.String("discovery-srv-name").Length != 0) && !values.IsSet("initial-cluster"))
            {
                initialCluster = string.Empty;
            }
        }
        else
        {
            if ((discovery.Length != 0 || discoverySrv.Length != 0) && initialCluster == EtcdDefaults.InitialCluster)
            {
                initialCluster = string.Empty;
            }

            if (clusterState.Length == 0)
            {
                clusterState = "new";
            }
        }

        try
        {
            ConfigurationValidator.Validate(
                new ValidationInput(listenPeer, listenClient, listenMetrics, advertisePeer, advertiseClient, discovery, initialCluster,
                    discoverySrv, clusterState, values.Unsigned("heartbeat-interval"), values.Unsigned("election-timeout"),
                    values.String("auto-compaction-mode"), values.Bool("experimental-enable-lease-checkpoint"),
                    values.Bool("experimental-enable-lease-checkpoint-persist")),
                notices);
        }
        catch (ConfigurationException e) when (e.IsMissingAdvertiseClientUrls && configFile is null && mayBeProxy)
        {
            // etcd lets a member that may become a proxy go without advertise client URLs.
        }

        CheckListenPorts(listenPeer.AddRange(listenClient).AddRange(listenMetrics));

        var name = values.String("name");
        (advertisePeer, advertiseClient, initialCluster) =
            ApplyDefaultHost(name, listenPeer, listenClient, advertisePeer, advertiseClient, initialCluster, hosts, notices);

        var dataDir = values.String("data-dir");
        if (dataDir.Length == 0)
        {
            dataDir = EtcdDefaults.DataDirFor(name);
            notices.Add(new StartupNotice(LogLevel.Warn, "etcdmain", "'data-dir' was empty; using default",
                [new LogField("data-dir", dataDir)], $"no data-dir provided, using default data-dir ./{dataDir}"));
        }

        var walDir = values.String("wal-dir");
        return new ServerConfiguration
        {
            Name = name,
            DataDir = dataDir,
            DedicatedWalDir = walDir.Length == 0 ? null : walDir,
            ConfigFile = configFile,
            Logging = logging,
            Snapshots = new SnapshotSettings(values.Unsigned("snapshot-count"), values.Unsigned("max-snapshots"), values.Unsigned("max-wals")),
            Raft = new RaftSettings(
                Milliseconds(values.Unsigned("heartbeat-interval")),
                Milliseconds(values.Unsigned("election-timeout")),
                values.Bool("initial-election-tick-advance"),
                values.Bool("pre-vote"),
                values.Bool("strict-reconfig-check")),
            Backend = new BackendSettings(
                values.Signed("quota-backend-bytes"),
                values.Duration("backend-batch-interval"),
                values.Signed("backend-batch-limit"),
                values.String("experimental-backend-bbolt-freelist-type") == "map" ? FreelistType.Map : FreelistType.Array,
                values.Signed("experimental-compaction-batch-limit"),
                values.Bool("unsafe-no-fsync")),
            Requests = new RequestLimits(
                values.Unsigned("max-txn-ops"),
                values.Unsigned("max-request-bytes"),
                (uint)values.Unsigned("max-concurrent-streams"),
                values.Duration("grpc-keepalive-min-time"),
                values.Duration("grpc-keepalive-interval"),
                values.Duration("grpc-keepalive-timeout"),
                values.Duration("experimental-warning-apply-duration")),
            Urls = new MemberUrls(listenPeer, listenClient, advertisePeer, advertiseClient, listenMetrics),
            Cluster = new ClusterBootstrap(
                ParseInitialCluster(initialCluster),
                initialCluster,
                values.String("initial-cluster-token"),
                clusterState == "existing" ? InitialClusterState.Existing : InitialClusterState.New,
                discovery,
                values.String("discovery-proxy"),
                discoverySrv,
                values.String("discovery-srv-name"),
                values.String("discovery-fallback") == "exit" ? DiscoveryFallback.Exit : DiscoveryFallback.Proxy,
                values.Bool("force-new-cluster")),
            Compaction = ParseCompaction(values.String("auto-compaction-mode"), values.String("auto-compaction-retention"), notices),
            Security = new SecuritySettings(
                new TransportSecurity(values.String("cert-file"), values.String("key-file"), values.String("trusted-ca-file"),
                    values.Bool("client-cert-auth"), values.String("client-crl-file"), string.Empty,
                    values.String("client-cert-allowed-hostname"), values.Bool("auto-tls"), SkipClientSanVerify: false),
                new TransportSecurity(values.String("peer-cert-file"), values.String("peer-key-file"), values.String("peer-trusted-ca-file"),
                    values.Bool("peer-client-cert-auth"), values.String("peer-crl-file"), values.String("peer-cert-allowed-cn"),
                    values.String("peer-cert-allowed-hostname"), values.Bool("peer-auto-tls"),
                    values.Bool("experimental-peer-skip-client-san-verification")),
                values.Strings("cipher-suites"),
                values.Urls("cors").Values,
                values.Strings("host-whitelist")),
            Auth = new AuthSettings(
                ParseAuthToken(values.String("auth-token"), notices),
                BcryptCost(values.Unsigned("bcrypt-cost"), notices),
                Milliseconds(values.Unsigned("auth-token-ttl") > ulong.MaxValue / 1000 ? ulong.MaxValue : values.Unsigned("auth-token-ttl") * 1000)),
            Features = new FeatureSettings(
                values.Bool("enable-v2"),
                values.Bool("enable-pprof"),
                values.Bool("enable-grpc-gateway"),
                values.String("metrics") == "extensive" ? MetricsDetail.Extensive : MetricsDetail.Basic,
                values.String("experimental-enable-v2v3"),
                values.Bool("experimental-initial-corrupt-check"),
                values.Duration("experimental-corrupt-check-time"),
                values.Bool("experimental-enable-lease-checkpoint"),
                values.Bool("experimental-enable-lease-checkpoint-persist"),
                values.Duration("experimental-watch-progress-notify-interval")),
            Proxy = new ProxySettings(
                values.String("proxy") switch { "on" => ProxyMode.On, "readonly" => ProxyMode.ReadOnly, _ => ProxyMode.Off },
                Milliseconds(values.Unsigned("proxy-failure-wait")),
                Milliseconds(values.Unsigned("proxy-refresh-interval")),
                Milliseconds(values.Unsigned("proxy-dial-timeout")),
                Milliseconds(values.Unsigned("proxy-write-timeout")),
                Milliseconds(values.Unsigned("proxy-read-timeout"))),
        };
    }

    /// <summary>
    /// etcd's UpdateDefaultClusterFromName: a member listening on 0.0.0.0 with the default advertise URL advertises
    /// the default route's address instead; a member named other than "default" with the default initial cluster
    /// gets "name=advertise-peer-urls".
    /// </summary>
    private static (ImmutableArray<EtcdUrl>, ImmutableArray<EtcdUrl>, string) ApplyDefaultHost(
        string name, ImmutableArray<EtcdUrl> listenPeer, ImmutableArray<EtcdUrl> listenClient,
        ImmutableArray<EtcdUrl> advertisePeer, ImmutableArray<EtcdUrl> advertiseClient, string initialCluster,
        IDefaultHostResolver hosts, ImmutableArray<StartupNotice>.Builder notices)
    {
        var host = hosts.Resolve(out var error);
        var used = false;
        if (host is not null)
        {
            if (IsDefault(advertisePeer, EtcdDefaults.InitialAdvertisePeerUrls) && !listenPeer.IsEmpty && listenPeer[0].Host == "0.0.0.0")
            {
                advertisePeer = [WithHost(advertisePeer[0], host, listenPeer[0].PortText)];
                used = true;
            }
        }

        if (name != EtcdDefaults.Name && initialCluster == EtcdDefaults.InitialCluster)
        {
            initialCluster = string.Join(",", advertisePeer.Select(u => (name.Length == 0 ? EtcdDefaults.Name : name) + "=" + u));
        }

        if (host is not null && IsDefault(advertiseClient, EtcdDefaults.AdvertiseClientUrls) && !listenClient.IsEmpty && listenClient[0].Host == "0.0.0.0")
        {
            advertiseClient = [WithHost(advertiseClient[0], host, listenClient[0].PortText)];
            used = true;
        }

        if (used)
        {
            notices.Add(new StartupNotice(LogLevel.Info, "etcdmain", "detected default host for advertise", [new LogField("host", host!)],
                $"advertising using detected default host {GoQuote.Quote(host!)}"));
        }

        if (host is null)
        {
            notices.Add(new StartupNotice(LogLevel.Info, "etcdmain", "failed to detect default host", [LogField.Error(error ?? "unknown")],
                $"failed to detect default host ({error})"));
        }

        return (advertisePeer, advertiseClient, initialCluster);
    }

    /// <summary>Milliseconds as a TimeSpan, saturating where Go's uint would not overflow but TimeSpan would.</summary>
    private static TimeSpan Milliseconds(ulong ms) =>
        ms >= (ulong)TimeSpan.MaxValue.TotalMilliseconds ? TimeSpan.MaxValue : TimeSpan.FromMilliseconds(ms);

    private static bool IsDefault(ImmutableArray<EtcdUrl> urls, string defaultUrl) => urls.Length == 1 && urls[0].ToString() == defaultUrl;

    private static EtcdUrl WithHost(EtcdUrl url, string host, string port)
    {
        var hostPort = host.Contains(':') ? $"[{host}]:{port}" : $"{host}:{port}";
        GoUrl.TryParseOne($"{url.Scheme}://{hostPort}", out var replaced);
        return replaced ?? url;
    }

    /// <summary>What Go's listener would refuse later: a TCP listen URL needs a port from 0 to 65535.</summary>
    private static void CheckListenPorts(ImmutableArray<EtcdUrl> urls)
    {
        var bad = urls.FirstOrDefault(u => !u.IsUnixSocket && u.Port < 0);
        if (bad is not null)
        {
            throw new ConfigurationException($"listen tcp: address {bad.HostPort}: invalid port");
        }
    }

    /// <summary>etcd's types.NewURLsMap: "name=url,name=url,...", several URLs per name allowed.</summary>
    private static ImmutableArray<InitialClusterMember> ParseInitialCluster(string text)
    {
        var byName = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var pair in text.Split(','))
        {
            if (pair.Length == 0)
            {
                continue;
            }

            var equals = pair.IndexOf('=');
            var name = equals >= 0 ? pair[..equals] : pair;
            var url = equals >= 0 ? pair[(equals + 1)..] : string.Empty;
            if (!byName.TryGetValue(name, out var urls))
            {
                byName[name] = urls = [];
            }

            urls.Add(url);
        }

        var members = ImmutableArray.CreateBuilder<InitialClusterMember>();
        foreach (var (name, urls) in byName)
        {
            var error = GoUrl.TryParseList(urls, out var parsed);
            if (error is not null)
            {
                throw new ConfigurationException("error setting up initial cluster: " + error);
            }

            members.Add(new InitialClusterMember(name, [.. parsed]));
        }

        return members.ToImmutable();
    }

    /// <summary>
    /// etcd's parseCompactionRetention: an integer is hours (periodic) or revisions (revision); otherwise a Go
    /// duration. etcd runs no compactor when the mode is empty; cairn says so instead of staying silent.
    /// </summary>
    private static AutoCompaction ParseCompaction(string mode, string retention, ImmutableArray<StartupNotice>.Builder notices) =>
        ParseCompactionSettings(mode, retention, notices, out var nanoseconds) with { ModeText = mode, RetentionNanoseconds = nanoseconds };

    private static AutoCompaction ParseCompactionSettings(string mode, string retention, ImmutableArray<StartupNotice>.Builder notices, out long nanoseconds)
    {
        if (long.TryParse(retention, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var whole) && whole >= 0)
        {
            nanoseconds = mode == "periodic" ? unchecked(whole * 3_600_000_000_000L) : whole;
        }
        else
        {
            var error = GoDuration.TryParseNanoseconds(retention, out nanoseconds);
            if (error is not null)
            {
                throw new ConfigurationException("error parsing CompactionRetention: " + error);
            }
        }

        if (nanoseconds == 0)
        {
            return AutoCompaction.Disabled with { RetentionText = retention };
        }

        switch (mode)
        {
            case "periodic":
                return new AutoCompaction(AutoCompactionMode.Periodic, GoDuration.FromNanoseconds(nanoseconds), 0, retention);
            case "revision":
                return new AutoCompaction(AutoCompactionMode.Revision, TimeSpan.Zero, nanoseconds, retention);
            default:
                notices.Add(new StartupNotice(LogLevel.Warn, "embed", "auto compaction is disabled: auto-compaction-mode is empty",
                    [new LogField("auto-compaction-retention", retention)],
                    $"auto-compaction-retention {GoQuote.Quote(retention)} is ignored: auto-compaction-mode is empty"));
                return AutoCompaction.Disabled with { RetentionText = retention };
        }
    }

    /// <summary>etcd's auth decomposeOpts: "type,key=value,...".</summary>
    private static AuthTokenOptions ParseAuthToken(string text, ImmutableArray<StartupNotice>.Builder notices)
    {
        var parts = text.Split(',');
        var options = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (var option in parts.Skip(1))
        {
            var pair = option.Split('=');
            if (pair.Length != 2 || options.ContainsKey(pair[0]))
            {
                notices.Add(new StartupNotice(LogLevel.Warn, "auth", "invalid token option", [new LogField("option", text)],
                    $"invalid token specific option: {text}"));
                throw new ConfigurationException("auth: invalid auth options");
            }

            options[pair[0]] = pair[1];
        }

        if (parts[0] is not ("simple" or "jwt" or ""))
        {
            notices.Add(new StartupNotice(LogLevel.Warn, "auth", "unknown token type", [new LogField("type", parts[0])],
                $"unknown token type: {parts[0]}"));
            throw new ConfigurationException("auth: invalid auth options");
        }

        return new AuthTokenOptions(parts[0], options.ToImmutable());
    }

    private static int BcryptCost(ulong cost, ImmutableArray<StartupNotice>.Builder notices)
    {
        if (cost is >= EtcdDefaults.MinBcryptCost and <= EtcdDefaults.MaxBcryptCost)
        {
            return (int)cost;
        }

        notices.Add(new StartupNotice(LogLevel.Warn, "auth", "use default bcrypt cost instead of the invalid given cost",
            [LogField.Int("min-cost", EtcdDefaults.MinBcryptCost), LogField.Int("max-cost", EtcdDefaults.MaxBcryptCost),
             LogField.Int("default-cost", EtcdDefaults.BcryptCost), LogField.UInt("given-cost", cost)],
            $"Use default bcrypt-cost {EtcdDefaults.BcryptCost} instead of the invalid value {cost}"));
        return EtcdDefaults.BcryptCost;
    }
}
