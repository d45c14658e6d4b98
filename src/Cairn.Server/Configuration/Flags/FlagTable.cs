using System.Collections.Frozen;
using System.Collections.Immutable;
using Cairn.Server.Logging;
using static Cairn.Server.Configuration.Flags.FlagSection;

namespace Cairn.Server.Configuration.Flags;

/// <summary>
/// The one table of etcd 3.4.23's flags: every flag <c>etcd --help</c> lists, plus the ones etcd accepts without
/// listing them (--config-file, --version, --log-output, --enable-grpc-gateway, --unsafe-no-fsync, a lease
/// checkpoint switch) and the retired etcd 0.4/2.x flags it still ignores. Order is <c>--help</c>'s order.
/// </summary>
public static class FlagTable
{
    private const string ClientTls = "client TLS";
    private const string PeerTls = "peer TLS";
    private const string Discovery = "discovery bootstrap";
    private const string SecureUrls = "https, unix and unixs URLs (only http is served yet)";

    public static readonly ImmutableArray<FlagDefinition> All =
    [
        // --config-file is read before everything else; it is listed in the usage text, not in a section.
        new("config-file", StringFlagType.Instance, "", Hidden, "", "Path to the server configuration file. Note that if a configuration file is provided, other command line flags and environment variables will be ignored."),

        // Member
        new("name", StringFlagType.Instance, EtcdDefaults.Name, Member, "'default'", "Human-readable name for this member.")
        {
            Yaml = YamlBinding.Str("name"),
        },
        new("data-dir", StringFlagType.Instance, "", Member, "'${name}.etcd'", "Path to the data directory.")
        {
            Yaml = YamlBinding.Str("data-dir"),
        },
        new("wal-dir", StringFlagType.Instance, "", Member, "''", "Path to the dedicated wal directory.")
        {
            Yaml = YamlBinding.Str("wal-dir"),
        },
        new("snapshot-count", UnsignedFlagType.Uint64, Text(EtcdDefaults.SnapshotCount), Member, "'100000'", "Number of committed transactions to trigger a snapshot to disk.")
        {
            Yaml = YamlBinding.Unsigned("snapshot-count", "uint64"),
        },
        new("heartbeat-interval", UnsignedFlagType.Uint, Text(EtcdDefaults.HeartbeatMilliseconds), Member, "'100'", "Time (in milliseconds) of a heartbeat interval.")
        {
            Yaml = YamlBinding.Unsigned("heartbeat-interval"),
        },
        new("election-timeout", UnsignedFlagType.Uint, Text(EtcdDefaults.ElectionMilliseconds), Member, "'1000'", "Time (in milliseconds) for an election to timeout. See tuning documentation for details.")
        {
            Yaml = YamlBinding.Unsigned("election-timeout"),
        },
        new("initial-election-tick-advance", BoolFlagType.Instance, "true", Member, "'true'", "Whether to fast-forward initial election ticks on boot for faster election.")
        {
            Yaml = YamlBinding.Bool("initial-election-tick-advance"),
        },
        new("listen-peer-urls", UrlSetFlagType.AllowEmpty, EtcdDefaults.ListenPeerUrls, Member, "'http://localhost:2380'", "List of URLs to listen on for peer traffic.")
        {
            Yaml = YamlBinding.Urls("listen-peer-urls"),
            Support = FlagSupport.NotYet(SecureUrls, HasUrlBeyondHttp),
        },
        new("listen-client-urls", UrlSetFlagType.AllowEmpty, EtcdDefaults.ListenClientUrls, Member, "'http://localhost:2379'", "List of URLs to listen on for client traffic.")
        {
            Yaml = YamlBinding.Urls("listen-client-urls"),
            Support = FlagSupport.NotYet(SecureUrls, HasUrlBeyondHttp),
        },
        new("max-snapshots", UnsignedFlagType.Uint, Text(EtcdDefaults.MaxSnapshots), Member, "'5'", "Maximum number of snapshot files to retain (0 is unlimited).")
        {
            Yaml = YamlBinding.Unsigned("max-snapshots"),
        },
        new("max-wals", UnsignedFlagType.Uint, Text(EtcdDefaults.MaxWals), Member, "'5'", "Maximum number of wal files to retain (0 is unlimited).")
        {
            Yaml = YamlBinding.Unsigned("max-wals"),
        },
        new("quota-backend-bytes", SignedFlagType.Int64, "0", Member, "'0'", "Raise alarms when backend size exceeds the given quota (0 defaults to low space quota).")
        {
            Yaml = YamlBinding.Signed("quota-backend-bytes", "int64"),
        },
        new("backend-batch-interval", DurationFlagType.Instance, "0s", Member, "''", "BackendBatchInterval is the maximum time before commit the backend transaction.")
        {
            Yaml = YamlBinding.Duration("backend-batch-interval"),
        },
        new("backend-batch-limit", SignedFlagType.Int, "0", Member, "'0'", "BackendBatchLimit is the maximum operations before commit the backend transaction.")
        {
            Yaml = YamlBinding.Signed("backend-batch-limit"),
        },
        new("max-txn-ops", UnsignedFlagType.Uint, Text(EtcdDefaults.MaxTxnOps), Member, "'128'", "Maximum number of operations permitted in a transaction.")
        {
            Yaml = YamlBinding.Unsigned("max-txn-ops"),
        },
        new("max-request-bytes", UnsignedFlagType.Uint, Text(EtcdDefaults.MaxRequestBytes), Member, "'1572864'", "Maximum client request size in bytes the server will accept.")
        {
            Yaml = YamlBinding.Unsigned("max-request-bytes"),
        },
        new("max-concurrent-streams", UnsignedFlagType.Uint32, Text(EtcdDefaults.MaxConcurrentStreams), Member, "'math.MaxUint32'", "Maximum concurrent streams that each client can open at a time.")
        {
            Yaml = YamlBinding.Unsigned("max-concurrent-streams", "uint32"),
        },
        new("grpc-keepalive-min-time", DurationFlagType.Instance, GoDurationText.Format(EtcdDefaults.GrpcKeepAliveMinTime), Member, "'5s'", "Minimum duration interval that a client should wait before pinging server.")
        {
            Yaml = YamlBinding.Duration("grpc-keepalive-min-time"),
        },
        new("grpc-keepalive-interval", DurationFlagType.Instance, GoDurationText.Format(EtcdDefaults.GrpcKeepAliveInterval), Member, "'2h'", "Frequency duration of server-to-client ping to check if a connection is alive (0 to disable).")
        {
            Yaml = YamlBinding.Duration("grpc-keepalive-interval"),
        },
        new("grpc-keepalive-timeout", DurationFlagType.Instance, GoDurationText.Format(EtcdDefaults.GrpcKeepAliveTimeout), Member, "'20s'", "Additional duration of wait before closing a non-responsive connection (0 to disable).")
        {
            Yaml = YamlBinding.Duration("grpc-keepalive-timeout"),
        },

        // Clustering
        new("initial-advertise-peer-urls", UrlSetFlagType.AllowEmpty, EtcdDefaults.InitialAdvertisePeerUrls, Clustering, "'http://localhost:2380'", "List of this member's peer URLs to advertise to the rest of the cluster.")
        {
            Yaml = YamlBinding.Urls("initial-advertise-peer-urls"),
            Support = FlagSupport.NotYet(SecureUrls, HasUrlBeyondHttp),
        },
        new("initial-cluster", StringFlagType.Instance, EtcdDefaults.InitialCluster, Clustering, "'default=http://localhost:2380'", "Initial cluster configuration for bootstrapping.")
        {
            Yaml = YamlBinding.Str("initial-cluster"),
            Support = FlagSupport.NotYet("a cluster of more than one member", HasSeveralMembers),
        },
        new("initial-cluster-state", new ChoiceFlagType("new", "existing"), "new", Clustering, "'new'", "Initial cluster state ('new' or 'existing').")
        {
            Yaml = YamlBinding.Str("initial-cluster-state"),
        },
        new("initial-cluster-token", StringFlagType.Instance, EtcdDefaults.InitialClusterToken, Clustering, "'etcd-cluster'", "Initial cluster token for the etcd cluster during bootstrap.\nSpecifying this can protect you from unintended cross-cluster interaction when running multiple clusters.")
        {
            Yaml = YamlBinding.Str("initial-cluster-token"),
        },
        new("advertise-client-urls", UrlSetFlagType.AllowEmpty, EtcdDefaults.AdvertiseClientUrls, Clustering, "'http://localhost:2379'", "List of this member's client URLs to advertise to the public.\nThe client URLs advertised should be accessible to machines that talk to etcd cluster. etcd client libraries parse these URLs to connect to the cluster.")
        {
            Yaml = YamlBinding.Urls("advertise-client-urls"),
            Support = FlagSupport.NotYet(SecureUrls, HasUrlBeyondHttp),
        },
        new("discovery", StringFlagType.Instance, "", Clustering, "''", "Discovery URL used to bootstrap the cluster.")
        {
            Yaml = YamlBinding.Str("discovery"),
            Support = FlagSupport.NotYet(Discovery, IsNonEmptyString),
        },
        new("discovery-fallback", new ChoiceFlagType("proxy", "exit"), "proxy", Clustering, "'proxy'", "Expected behavior ('exit' or 'proxy') when discovery services fails.\n\"proxy\" supports v2 API only.")
        {
            Yaml = YamlBinding.Proxy("discovery-fallback", YamlShape.String, "string", YamlApply.Choice),
        },
        new("discovery-proxy", StringFlagType.Instance, "", Clustering, "''", "HTTP proxy to use for traffic to discovery service.")
        {
            Yaml = YamlBinding.Str("discovery-proxy"),
            Support = FlagSupport.NotYet(Discovery, IsNonEmptyString),
        },
        new("discovery-srv", StringFlagType.Instance, "", Clustering, "''", "DNS srv domain used to bootstrap the cluster.")
        {
            Yaml = YamlBinding.Str("discovery-srv"),
            Support = FlagSupport.NotYet(Discovery, IsNonEmptyString),
        },
        new("discovery-srv-name", StringFlagType.Instance, "", Clustering, "''", "Suffix to the dns srv name queried when bootstrapping.")
        {
            Yaml = YamlBinding.Str("discovery-srv-name"),
            Support = FlagSupport.NotYet(Discovery, IsNonEmptyString),
        },
        new("strict-reconfig-check", BoolFlagType.Instance, "true", Clustering, "'true'", "Reject reconfiguration requests that would cause quorum loss.")
        {
            Yaml = YamlBinding.Bool("strict-reconfig-check"),
        },
        new("pre-vote", BoolFlagType.Instance, "false", Clustering, "'false'", "Enable to run an additional Raft election phase.")
        {
            Yaml = YamlBinding.Bool("pre-vote"),
        },
        new("auto-compaction-retention", StringFlagType.Instance, "0", Clustering, "'0'", "Auto compaction retention length. 0 means disable auto compaction.")
        {
            Yaml = YamlBinding.Str("auto-compaction-retention"),
        },
        new("auto-compaction-mode", StringFlagType.Instance, "periodic", Clustering, "'periodic'", "Interpret 'auto-compaction-retention' one of: periodic|revision. 'periodic' for duration based retention, defaulting to hours if no time unit is provided (e.g. '5m'). 'revision' for revision number based retention.")
        {
            Yaml = YamlBinding.Str("auto-compaction-mode"),
        },
        new("enable-v2", BoolFlagType.Instance, "false", Clustering, "'false'", "Accept etcd V2 client requests.")
        {
            Yaml = YamlBinding.Bool("enable-v2"),
            Support = FlagSupport.Warn("cairn does not serve the etcd v2 API; only v3 clients are served", IsTrue),
        },

        // Security
        new("cert-file", StringFlagType.Instance, "", Security, "''", "Path to the client server TLS cert file.")
        {
            Yaml = YamlBinding.Tls("client-transport-security", "cert-file", YamlShape.String, "string"),
            Support = FlagSupport.NotYet(ClientTls, IsNonEmptyString),
        },
        new("key-file", StringFlagType.Instance, "", Security, "''", "Path to the client server TLS key file.")
        {
            Yaml = YamlBinding.Tls("client-transport-security", "key-file", YamlShape.String, "string"),
            Support = FlagSupport.NotYet(ClientTls, IsNonEmptyString),
        },
        new("client-cert-auth", BoolFlagType.Instance, "false", Security, "'false'", "Enable client cert authentication.")
        {
            Yaml = YamlBinding.Tls("client-transport-security", "client-cert-auth", YamlShape.Bool, "bool"),
            Support = FlagSupport.NotYet(ClientTls, IsTrue),
        },
        new("client-crl-file", StringFlagType.Instance, "", Security, "''", "Path to the client certificate revocation list file.")
        {
            Support = FlagSupport.NotYet(ClientTls, IsNonEmptyString),
        },
        new("client-cert-allowed-hostname", StringFlagType.Instance, "", Security, "''", "Allowed TLS hostname for client cert authentication.")
        {
            Support = FlagSupport.NotYet(ClientTls, IsNonEmptyString),
        },
        new("trusted-ca-file", StringFlagType.Instance, "", Security, "''", "Path to the client server TLS trusted CA cert file.")
        {
            Yaml = YamlBinding.Tls("client-transport-security", "trusted-ca-file", YamlShape.String, "string"),
            Support = FlagSupport.NotYet(ClientTls, IsNonEmptyString),
        },
        new("auto-tls", BoolFlagType.Instance, "false", Security, "'false'", "Client TLS using generated certificates.")
        {
            Yaml = YamlBinding.Tls("client-transport-security", "auto-tls", YamlShape.Bool, "bool"),
            Support = FlagSupport.NotYet(ClientTls, IsTrue),
        },
        new("peer-cert-file", StringFlagType.Instance, "", Security, "''", "Path to the peer server TLS cert file.")
        {
            Yaml = YamlBinding.Tls("peer-transport-security", "cert-file", YamlShape.String, "string"),
            Support = FlagSupport.NotYet(PeerTls, IsNonEmptyString),
        },
        new("peer-key-file", StringFlagType.Instance, "", Security, "''", "Path to the peer server TLS key file.")
        {
            Yaml = YamlBinding.Tls("peer-transport-security", "key-file", YamlShape.String, "string"),
            Support = FlagSupport.NotYet(PeerTls, IsNonEmptyString),
        },
        new("peer-client-cert-auth", BoolFlagType.Instance, "false", Security, "'false'", "Enable peer client cert authentication.")
        {
            Yaml = YamlBinding.Tls("peer-transport-security", "client-cert-auth", YamlShape.Bool, "bool"),
            Support = FlagSupport.NotYet(PeerTls, IsTrue),
        },
        new("peer-trusted-ca-file", StringFlagType.Instance, "", Security, "''", "Path to the peer server TLS trusted CA file.")
        {
            Yaml = YamlBinding.Tls("peer-transport-security", "trusted-ca-file", YamlShape.String, "string"),
            Support = FlagSupport.NotYet(PeerTls, IsNonEmptyString),
        },
        new("peer-cert-allowed-cn", StringFlagType.Instance, "", Security, "''", "Required CN for client certs connecting to the peer endpoint.")
        {
            Support = FlagSupport.NotYet(PeerTls, IsNonEmptyString),
        },
        new("peer-cert-allowed-hostname", StringFlagType.Instance, "", Security, "''", "Allowed TLS hostname for inter peer authentication.")
        {
            Support = FlagSupport.NotYet(PeerTls, IsNonEmptyString),
        },
        new("peer-auto-tls", BoolFlagType.Instance, "false", Security, "'false'", "Peer TLS using self-generated certificates if --peer-key-file and --peer-cert-file are not provided.")
        {
            Yaml = YamlBinding.Tls("peer-transport-security", "auto-tls", YamlShape.Bool, "bool"),
            Support = FlagSupport.NotYet(PeerTls, IsTrue),
        },
        new("peer-crl-file", StringFlagType.Instance, "", Security, "''", "Path to the peer certificate revocation list file.")
        {
            Support = FlagSupport.NotYet(PeerTls, IsNonEmptyString),
        },
        new("cipher-suites", StringListFlagType.Instance, "", Security, "''", "Comma-separated list of supported TLS cipher suites between client/server and peers (empty will be auto-populated by Go).")
        {
            Yaml = YamlBinding.Strings("cipher-suites"),
            Support = FlagSupport.NotYet("TLS cipher suites", IsNonEmptyList),
        },
        new("cors", UrlSetFlagType.AllowStar, "*", Security, "'*'", "Comma-separated whitelist of origins for CORS, or cross-origin resource sharing, (empty or * means allow all).")
        {
            Yaml = new YamlBinding("cors", YamlShape.String, "string", YamlApply.UrlSetFromString),
            Support = FlagSupport.NotYet("restricting CORS origins", RestrictsBeyondStar),
        },
        new("host-whitelist", StringSetFlagType.Instance, "*", Security, "'*'", "Acceptable hostnames from HTTP client requests, if server is not secure (empty or * means allow all).")
        {
            Yaml = new YamlBinding("host-whitelist", YamlShape.String, "string", YamlApply.StringSetFromString),
            Support = FlagSupport.NotYet("restricting HTTP Host names", RestrictsBeyondStar),
        },

        // Auth
        new("auth-token", StringFlagType.Instance, "simple", Auth, "'simple'", "Specify a v3 authentication token type and its options ('simple' or 'jwt').")
        {
            Yaml = YamlBinding.Str("auth-token"),
            Support = FlagSupport.NotYet("JWT auth tokens", v => v.Value is string s && s.Split(',')[0] != "simple"),
        },
        new("bcrypt-cost", UnsignedFlagType.Uint, Text(EtcdDefaults.BcryptCost), Auth, "10", "Specify the cost / strength of the bcrypt algorithm for hashing auth passwords. Valid values are between 4 and 31.")
        {
            Yaml = YamlBinding.Unsigned("bcrypt-cost"),
        },
        new("auth-token-ttl", UnsignedFlagType.Uint, "300", Auth, "300", "Time (in seconds) of the auth-token-ttl.")
        {
            Yaml = YamlBinding.Unsigned("auth-token-ttl"),
        },

        // Profiling and monitoring
        new("enable-pprof", BoolFlagType.Instance, "false", ProfilingAndMonitoring, "'false'", "Enable runtime profiling data via HTTP server. Address is at client URL + \"/debug/pprof/\"")
        {
            Yaml = YamlBinding.Bool("enable-pprof"),
            Support = FlagSupport.Warn("cairn does not serve /debug/pprof/ (Go runtime profiles); use dotnet-counters or dotnet-trace", IsTrue),
        },
        new("metrics", StringFlagType.Instance, "basic", ProfilingAndMonitoring, "'basic'", "Set level of detail for exported metrics, specify 'extensive' to include histogram metrics.")
        {
            Yaml = YamlBinding.Str("metrics"),
            Support = FlagSupport.NotYet("extensive (histogram) metrics", v => v.Value is "extensive"),
        },
        new("listen-metrics-urls", UrlSetFlagType.AllowEmpty, "", ProfilingAndMonitoring, "''", "List of URLs to listen on for the metrics and health endpoints.")
        {
            Yaml = YamlBinding.Urls("listen-metrics-urls"),
            Support = FlagSupport.NotYet(SecureUrls, HasUrlBeyondHttp),
        },

        // Logging
        new("logger", StringFlagType.Instance, "capnslog", FlagSection.Logging, "'capnslog'", "Specify 'zap' for structured logging or 'capnslog'. [WARN] 'capnslog' will be deprecated in v3.5.")
        {
            Yaml = YamlBinding.Str("logger"),
        },
        new("log-outputs", StringSetFlagType.Instance, "default", FlagSection.Logging, "'default'", "Specify 'stdout' or 'stderr' to skip journald logging even when running under systemd, or list of comma separated output targets.")
        {
            Yaml = YamlBinding.Strings("log-outputs"),
        },
        new("log-level", StringFlagType.Instance, "info", FlagSection.Logging, "'info'", "Configures log level. Only supports debug, info, warn, error, panic, or fatal.")
        {
            Yaml = YamlBinding.Str("log-level"),
        },

        // v2 proxy
        new("proxy", new ChoiceFlagType("off", "readonly", "on"), "off", V2Proxy, "'off'", "Proxy mode setting ('off', 'readonly' or 'on').")
        {
            Yaml = YamlBinding.Proxy("proxy", YamlShape.String, "string", YamlApply.Choice),
            Support = FlagSupport.NotYet("the v2 proxy", v => v.Value is not "off"),
        },
        new("proxy-failure-wait", UnsignedFlagType.Uint, "5000", V2Proxy, "5000", "Time (in milliseconds) an endpoint will be held in a failed state.")
        {
            Yaml = YamlBinding.Proxy("proxy-failure-wait", YamlShape.Unsigned, "uint"),
        },
        new("proxy-refresh-interval", UnsignedFlagType.Uint, "30000", V2Proxy, "30000", "Time (in milliseconds) of the endpoints refresh interval.")
        {
            Yaml = YamlBinding.Proxy("proxy-refresh-interval", YamlShape.Unsigned, "uint"),
        },
        new("proxy-dial-timeout", UnsignedFlagType.Uint, "1000", V2Proxy, "1000", "Time (in milliseconds) for a dial to timeout.")
        {
            Yaml = YamlBinding.Proxy("proxy-dial-timeout", YamlShape.Unsigned, "uint"),
        },
        new("proxy-write-timeout", UnsignedFlagType.Uint, "5000", V2Proxy, "5000", "Time (in milliseconds) for a write to timeout.")
        {
            Yaml = YamlBinding.Proxy("proxy-write-timeout", YamlShape.Unsigned, "uint"),
        },
        new("proxy-read-timeout", UnsignedFlagType.Uint, "0", V2Proxy, "0", "Time (in milliseconds) for a read to timeout.")
        {
            Yaml = YamlBinding.Proxy("proxy-read-timeout", YamlShape.Unsigned, "uint"),
        },

        // Experimental
        new("experimental-initial-corrupt-check", BoolFlagType.Instance, "false", Experimental, "'false'", "Enable to check data corruption before serving any client/peer traffic.")
        {
            Yaml = YamlBinding.Bool("experimental-initial-corrupt-check"),
            Support = FlagSupport.NotYet("corruption checks", IsTrue),
        },
        new("experimental-corrupt-check-time", DurationFlagType.Instance, "0s", Experimental, "'0s'", "Duration of time between cluster corruption check passes.")
        {
            Yaml = YamlBinding.Duration("experimental-corrupt-check-time"),
            Support = FlagSupport.NotYet("corruption checks", v => v.Value is TimeSpan t && t != TimeSpan.Zero),
        },
        new("experimental-enable-v2v3", StringFlagType.Instance, "", Experimental, "''", "Serve v2 requests through the v3 backend under a given prefix.")
        {
            Yaml = YamlBinding.Str("experimental-enable-v2v3"),
            Support = FlagSupport.NotYet("the v2 API emulated on v3", IsNonEmptyString),
        },
        new("experimental-backend-bbolt-freelist-type", StringFlagType.Instance, "", Experimental, "'array'", "ExperimentalBackendFreelistType specifies the type of freelist that boltdb backend uses(array and map are supported types).")
        {
            Yaml = YamlBinding.Str("experimental-backend-bbolt-freelist-type"),
        },
        new("experimental-enable-lease-checkpoint", BoolFlagType.Instance, "false", Experimental, "'false'", "ExperimentalEnableLeaseCheckpoint enables primary lessor to persist lease remainingTTL to prevent indefinite auto-renewal of long lived leases.")
        {
            Yaml = YamlBinding.Bool("experimental-enable-lease-checkpoint"),
        },
        new("experimental-compaction-batch-limit", SignedFlagType.Int, "0", Experimental, "1000", "ExperimentalCompactionBatchLimit sets the maximum revisions deleted in each compaction batch.")
        {
            Yaml = YamlBinding.Signed("experimental-compaction-batch-limit"),
        },
        new("experimental-peer-skip-client-san-verification", BoolFlagType.Instance, "false", Experimental, "'false'", "Skip verification of SAN field in client certificate for peer connections.")
        {
            Support = FlagSupport.NotYet(PeerTls, IsTrue),
        },
        new("experimental-watch-progress-notify-interval", DurationFlagType.Instance, "0s", Experimental, "'10m'", "Duration of periodical watch progress notification.")
        {
            Yaml = YamlBinding.Duration("experimental-watch-progress-notify-interval"),
        },
        new("experimental-warning-apply-duration", DurationFlagType.Instance, GoDurationText.Format(EtcdDefaults.WarningApplyDuration), Experimental, "'100ms'", "Warning is generated if requests take more than this duration.")
        {
            Yaml = YamlBinding.Duration("experimental-warning-apply-duration"),
        },

        // Unsafe
        new("force-new-cluster", BoolFlagType.Instance, "false", Unsafe, "'false'", "Force to create a new one-member cluster.")
        {
            Yaml = YamlBinding.Bool("force-new-cluster"),
            Support = FlagSupport.NotYet("--force-new-cluster (rewriting membership from the WAL)", IsTrue),
        },

        // To be deprecated
        new("debug", BoolFlagType.Instance, "false", ToBeDeprecated, "'false'", "Enable debug-level logging for etcd. [WARN] Will be deprecated in v3.5. Use '--log-level=debug' instead.")
        {
            Yaml = YamlBinding.Bool("debug"),
        },
        new("log-package-levels", StringFlagType.Instance, "", ToBeDeprecated, "''", "Specify a particular log level for each etcd package (eg: 'etcdmain=CRITICAL,etcdserver=DEBUG').")
        {
            Yaml = YamlBinding.Str("log-package-levels"),
        },

        // Accepted by etcd 3.4 but not listed by its --help.
        new("version", BoolFlagType.Instance, "false", Hidden, "'false'", "Print the version and exit."),
        new("log-output", StringSetFlagType.Instance, "default", Hidden, "'default'", "[TO BE DEPRECATED IN v3.5] use '--log-outputs'.")
        {
            Yaml = YamlBinding.Strings("log-output"),
        },
        new("enable-grpc-gateway", BoolFlagType.Instance, "true", Hidden, "'true'", "Enable GRPC gateway.")
        {
            Yaml = YamlBinding.Bool("enable-grpc-gateway"),
            Support = FlagSupport.Warn("cairn does not serve the gRPC JSON gateway (/v3/...) yet", v => v.IsExplicit && v.Value is true),
        },
        new("experimental-enable-lease-checkpoint-persist", BoolFlagType.Instance, "false", Hidden, "'false'", "Enable persisting remainingTTL to prevent indefinite auto-renewal of long lived leases. Always enabled in v3.6. Should be used to ensure smooth upgrade from v3.5 clusters with this feature enabled. Requires experimental-enable-lease-checkpoint to be enabled.")
        {
            Yaml = YamlBinding.Bool("experimental-enable-lease-checkpoint-persist"),
        },
        new("unsafe-no-fsync", BoolFlagType.Instance, "false", Hidden, "'false'", "Disables fsync, unsafe, will cause data loss.")
        {
            Yaml = YamlBinding.Bool("unsafe-no-fsync"),
            Support = FlagSupport.NotYet("running without fsync", IsTrue),
        },

        // Retired flags from etcd 0.4 and 2.x: accepted and ignored with a warning, as etcd 3.4 does.
        .. RetiredFlags(
            "cluster-active-size", "cluster-remove-delay", "cluster-sync-interval", "config", "force", "max-result-buffer",
            "max-retry-attempts", "peer-heartbeat-interval", "peer-election-timeout", "retry-interval", "snapshot", "v", "vv",
            "test.coverprofile", "test.outputdir"),
    ];

    private static readonly FrozenDictionary<string, FlagDefinition> ByName = All.ToFrozenDictionary(f => f.Name, StringComparer.Ordinal);

    /// <summary>The flag with this name (no dashes), or null.</summary>
    public static FlagDefinition? Find(string name) => ByName.GetValueOrDefault(name);

    /// <summary>The flag with this name; throws for a name that is not in the table (a programming error).</summary>
    public static FlagDefinition Get(string name) =>
        ByName.TryGetValue(name, out var flag) ? flag : throw new ArgumentException($"no flag named {name}", nameof(name));

    private static string Text<T>(T number) where T : IFormattable => number.ToString(null, System.Globalization.CultureInfo.InvariantCulture);

    private static IEnumerable<FlagDefinition> RetiredFlags(params string[] names) =>
        names.Select(n => new FlagDefinition(n, IgnoredFlagType.Instance, "", Hidden, "", "") { Support = FlagSupport.Retired });

    private static bool IsTrue(FlagValue v) => v.Value is true;

    private static bool IsNonEmptyString(FlagValue v) => v.Value is string { Length: > 0 };

    private static bool IsNonEmptyList(FlagValue v) => v.Value is ImmutableArray<string> { IsEmpty: false };

    private static bool HasUrlBeyondHttp(FlagValue v) => v.Value is UrlSet set && set.Urls.Any(u => u.Scheme != "http");

    private static bool RestrictsBeyondStar(FlagValue v) => v.Value switch
    {
        UrlSet set => set.Values.Any(s => s is not ("*" or "")),
        ImmutableArray<string> words => words.Any(s => s is not ("*" or "")),
        _ => false,
    };

    private static bool HasSeveralMembers(FlagValue v) =>
        v.Value is string s && s.Split(',').Where(p => p.Length > 0).Select(p => p.Split('=')[0]).Distinct().Count() > 1;
}
