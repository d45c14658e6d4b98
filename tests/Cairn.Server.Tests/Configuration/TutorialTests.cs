using Cairn.Server.Configuration;
using Cairn.Server.Configuration.Building;
using Cairn.Server.Configuration.Model;
using Cairn.Server.Logging;
using Cairn.Server.Tests.Configuration.TestData;
using static Cairn.Server.Tests.Configuration.ConfigurationHarness;

namespace Cairn.Server.Tests.Configuration;

/// <summary>
/// The five tutorials' start-up settings (see Tutorials/README.md): each must be read exactly as etcd reads it;
/// what cairn does not build yet (TLS, clusters of several members) must refuse the start by name; with those
/// parts taken out, the single-member ones must be able to start.
/// </summary>
public class TutorialTests
{
    private static readonly string[] TlsFlags =
        ["cert-file", "key-file", "trusted-ca-file", "client-cert-auth", "auto-tls", "peer-cert-file", "peer-key-file",
         "peer-trusted-ca-file", "peer-client-cert-auth", "peer-auto-tls"];

    private static string[] Urls(IEnumerable<EtcdUrl> urls) => [.. urls.Select(u => u.ToString())];

    private static string[] Refused(LoadResult result) => [.. SupportCheck.Check(result.Values).Refusals.Select(r => r.Flag.Name).Order()];

    /// <summary>The same settings without TLS: TLS flags dropped, https URLs made http.</summary>
    private static string[] WithoutTls(string[] args) =>
        [.. args.Where(a => !TlsFlags.Any(f => a == "--" + f || a.StartsWith("--" + f + "=", StringComparison.Ordinal)))
            .Select(a => a.Replace("https://", "http://", StringComparison.Ordinal))];

    private static (string, string)[] WithoutTls((string Key, string Value)[] env) =>
        [.. env.Where(e => !TlsFlags.Any(f => e.Key == "ETCD_" + f.ToUpperInvariant().Replace('-', '_')))
            .Select(e => (e.Key, e.Value.Replace("https://", "http://", StringComparison.Ordinal)))];

    [Fact]
    public void Tutorial_000_systemd_unit_with_mutual_tls_is_read_and_refused_for_tls_and_clustering()
    {
        var args = StartupFiles.Arguments(TestFiles.TutorialPath("000-etcd.service.args"));
        var result = Load(args);
        Assert.Null(result.Error);
        var config = result.Configuration!;
        Assert.Equal("master00", config.Name);
        Assert.Equal("/var/lib/etcd", config.DataDir);
        Assert.Equal(["https://127.0.0.1:2379", "https://192.168.111.72:2379"], Urls(config.Urls.ListenClient));
        Assert.Equal(["master00", "master01", "master02"], config.Cluster.InitialCluster.Select(m => m.Name));
        Assert.True(config.Security.Client.ClientCertAuth);
        Assert.True(config.Security.Peer.ClientCertAuth);
        Assert.Equal("/etc/etcd/ca.pem", config.Security.Peer.TrustedCaFile);
        Assert.Equal(
            ["advertise-client-urls", "cert-file", "client-cert-auth", "initial-advertise-peer-urls", "initial-cluster", "key-file",
             "listen-client-urls", "listen-peer-urls", "peer-cert-file", "peer-client-cert-auth", "peer-key-file", "peer-trusted-ca-file",
             "trusted-ca-file"],
            Refused(result));
        Assert.Equal(["initial-cluster"], Refused(Load(WithoutTls(args))));
    }

    [Fact]
    public void Tutorial_001_config_file_with_transport_security_blocks_is_read_and_refused_for_tls_and_clustering()
    {
        var result = Load(["--config-file", TestFiles.TutorialPath("001-etcd.conf.yml")]);
        Assert.Null(result.Error);
        var config = result.Configuration!;
        Assert.Equal("etcd1", config.Name);
        Assert.Equal(LogFormatKind.Zap, config.Logging.Format);
        Assert.Equal(["https://etcd1.vagrant:2379"], Urls(config.Urls.AdvertiseClient));
        Assert.Equal("/etc/etcd/pki/etcd1.pem", config.Security.Client.CertFile);
        Assert.Equal("/etc/pki/tls/certs/ca.pem", config.Security.Peer.TrustedCaFile);
        Assert.True(config.Security.Client.ClientCertAuth);
        Assert.Equal(
            ["advertise-client-urls", "cert-file", "client-cert-auth", "initial-advertise-peer-urls", "initial-cluster", "key-file",
             "listen-client-urls", "listen-peer-urls", "peer-cert-file", "peer-client-cert-auth", "peer-key-file", "peer-trusted-ca-file",
             "trusted-ca-file"],
            Refused(result));
    }

    [Fact]
    public void Tutorial_002_etcd_2_era_flags_with_port_4001_are_read_and_refused_only_for_clustering()
    {
        var result = Load(StartupFiles.Arguments(TestFiles.TutorialPath("002-etcd.service.args")));
        Assert.Null(result.Error);
        var config = result.Configuration!;
        Assert.Equal("etcd0", config.Name);
        Assert.Equal(TimeSpan.FromSeconds(1), config.Raft.HeartbeatInterval);
        Assert.Equal(TimeSpan.FromSeconds(5), config.Raft.ElectionTimeout);
        Assert.Equal(["http://127.0.0.1:2379", "http://192.168.0.147:2379", "http://192.168.0.147:4001"], Urls(config.Urls.ListenClient));
        Assert.Equal(["http://192.168.0.147:2379", "http://192.168.0.147:4001"], Urls(config.Urls.AdvertiseClient));
        Assert.Equal(["initial-cluster"], Refused(result));
    }

    [Fact]
    public async Task Tutorial_002_static_pod_environment_is_read_and_its_name_mismatch_is_caught_at_bootstrap()
    {
        var result = Load([], StartupFiles.Environment(TestFiles.TutorialPath("002-etcd-manifest.env")));
        Assert.Null(result.Error);
        var config = result.Configuration!;
        Assert.Equal("k8s01", config.Name);
        Assert.Equal("/var/etcd/data", config.DataDir);
        Assert.Equal(["http://0.0.0.0:4001"], Urls(config.Urls.ListenClient));
        Assert.Equal(["initial-cluster"], Refused(result));

        // The manifest names the member k8s01 but lists etcd-a..c: etcd itself fails to bootstrap with it.
        Assert.Equal("couldn't find local name \"k8s01\" in the initial cluster configuration", await BootstrapCheck.VerifyBootstrapAsync(config));
    }

    [Fact]
    public void Tutorial_002_docker_environment_is_read_and_refused_only_for_clustering()
    {
        var result = Load([], StartupFiles.Environment(TestFiles.TutorialPath("002-docker.env")));
        Assert.Null(result.Error);
        var config = result.Configuration!;
        Assert.Equal("k8s03", config.Name);
        Assert.Equal("k8s03.etcd", config.DataDir);
        Assert.Equal(["http://0.0.0.0:2379", "http://0.0.0.0:4001"], Urls(config.Urls.ListenClient));
        Assert.Equal(["initial-cluster"], Refused(result));
    }

    [Fact]
    public void Tutorial_003_static_pod_flags_are_read_refused_for_tls_and_start_without_it()
    {
        var args = StartupFiles.Arguments(TestFiles.TutorialPath("003-etcd-pod.args"));
        var result = Load(args);
        Assert.Null(result.Error);
        var config = result.Configuration!;
        Assert.Equal("k8s-demo", config.Name);
        Assert.Equal("k8s-demo=http://localhost:2380", config.Cluster.InitialClusterText);
        Assert.Equal(["https://localhost:2379"], Urls(config.Urls.AdvertiseClient));
        Assert.Equal(["advertise-client-urls", "cert-file", "client-cert-auth", "key-file", "listen-client-urls", "trusted-ca-file"], Refused(result));

        var plain = Load(WithoutTls(args));
        Assert.Null(plain.Error);
        Assert.True(SupportCheck.Check(plain.Values).CanStart);
    }

    [Fact]
    public async Task Tutorial_004_env_file_with_auto_tls_and_proxy_off_is_read_refused_for_tls_and_starts_without_it()
    {
        // systemd applies Environment= first, then EnvironmentFile=, the later value winning.
        var env = StartupFiles.Environment(TestFiles.TutorialPath("004-etcd.service.env"), TestFiles.TutorialPath("004-etcd.conf"))
            .GroupBy(e => e.Key).Select(g => g.Last()).ToArray();
        var result = Load([], env);
        Assert.Null(result.Error);
        var config = result.Configuration!;
        Assert.Equal("master1", config.Name);
        Assert.Equal("/var/lib/etcd", config.DataDir);
        Assert.Equal("etcd-k8s-cluster", config.Cluster.Token);
        Assert.Equal(ProxyMode.Off, config.Proxy.Mode);
        Assert.True(config.Security.Client.AutoTls);
        Assert.Equal("/etc/etcd/ssl/etcd.pem", config.Security.Client.CertFile);
        Assert.Equal(
            ["advertise-client-urls", "auto-tls", "cert-file", "client-cert-auth", "initial-advertise-peer-urls", "key-file", "listen-client-urls",
             "listen-peer-urls", "peer-auto-tls", "peer-cert-file", "peer-client-cert-auth", "peer-key-file", "peer-trusted-ca-file", "trusted-ca-file"],
            Refused(result));

        var plain = Load([], WithoutTls(env));
        Assert.Null(plain.Error);
        Assert.True(SupportCheck.Check(plain.Values).CanStart, SupportCheck.Check(plain.Values).Summary);
        Assert.Null(await BootstrapCheck.VerifyBootstrapAsync(plain.Configuration!));
    }
}
