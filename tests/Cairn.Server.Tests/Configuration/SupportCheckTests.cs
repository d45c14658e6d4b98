using Cairn.Server.Configuration.Building;
using Cairn.Server.Configuration.Flags;
using static Cairn.Server.Tests.Configuration.ConfigurationHarness;

namespace Cairn.Server.Tests.Configuration;

public class SupportCheckTests
{
    private static SupportReport Check(params string[] args) => SupportCheck.Check(Load(args).Values);

    [Fact]
    public void Defaults_start_without_warnings()
    {
        var report = Check();
        Assert.True(report.CanStart);
        Assert.Empty(report.Warnings);
    }

    [Theory]
    [InlineData("--cert-file=/c.pem", "cert-file", "client TLS")]
    [InlineData("--key-file=/k.pem", "key-file", "client TLS")]
    [InlineData("--trusted-ca-file=/ca.pem", "trusted-ca-file", "client TLS")]
    [InlineData("--client-cert-auth", "client-cert-auth", "client TLS")]
    [InlineData("--client-crl-file=/crl", "client-crl-file", "client TLS")]
    [InlineData("--auto-tls", "auto-tls", "client TLS")]
    [InlineData("--peer-auto-tls", "peer-auto-tls", "peer TLS")]
    [InlineData("--peer-cert-allowed-cn=x", "peer-cert-allowed-cn", "peer TLS")]
    [InlineData("--experimental-peer-skip-client-san-verification", "experimental-peer-skip-client-san-verification", "peer TLS")]
    [InlineData("--cipher-suites=TLS_AES_128_GCM_SHA256", "cipher-suites", "TLS cipher suites")]
    [InlineData("--discovery=https://discovery.etcd.io/x", "discovery", "discovery bootstrap")]
    [InlineData("--discovery-srv=example.com", "discovery-srv", "discovery bootstrap")]
    [InlineData("--proxy=on", "proxy", "the v2 proxy")]
    [InlineData("--proxy=readonly", "proxy", "the v2 proxy")]
    [InlineData("--cors=http://example.com:80", "cors", "restricting CORS origins")]
    [InlineData("--host-whitelist=example.com", "host-whitelist", "restricting HTTP Host names")]
    [InlineData("--auth-token=jwt,sign-method=RS256", "auth-token", "JWT auth tokens")]
    [InlineData("--force-new-cluster", "force-new-cluster", "--force-new-cluster (rewriting membership from the WAL)")]
    [InlineData("--experimental-enable-v2v3=/v2", "experimental-enable-v2v3", "the v2 API emulated on v3")]
    [InlineData("--experimental-initial-corrupt-check", "experimental-initial-corrupt-check", "corruption checks")]
    [InlineData("--unsafe-no-fsync", "unsafe-no-fsync", "running without fsync")]
    [InlineData("--metrics=extensive", "metrics", "extensive (histogram) metrics")]
    public void Settings_that_turn_on_unbuilt_features_refuse_the_start_naming_the_flag(string arg, string flag, string feature)
    {
        var report = Check(arg);
        var refusal = Assert.Single(report.Refusals);
        Assert.Equal(flag, refusal.Flag.Name);
        Assert.Equal(feature, refusal.Feature);
        Assert.Equal($"--{flag} is not supported yet: {feature}", refusal.RefusalMessage);
        Assert.False(report.CanStart);
    }

    [Fact]
    public void Https_urls_refuse_the_start_naming_each_url_flag()
    {
        var report = Check("--listen-client-urls", "https://127.0.0.1:2379", "--advertise-client-urls", "https://127.0.0.1:2379",
            "--listen-peer-urls", "unixs://localhost:2380", "--initial-advertise-peer-urls", "unix://localhost:2380", "--listen-metrics-urls", "https://127.0.0.1:2381");
        Assert.Equal(
            ["listen-peer-urls", "listen-client-urls", "initial-advertise-peer-urls", "advertise-client-urls", "listen-metrics-urls"],
            report.Refusals.Select(r => r.Flag.Name));
    }

    [Fact]
    public void A_cluster_of_several_members_refuses_the_start() =>
        Assert.Equal("--initial-cluster is not supported yet: a cluster of more than one member",
            Check("--initial-cluster", "default=http://localhost:2380,b=http://10.0.0.2:2380").Summary);

    [Fact]
    public void One_member_with_several_peer_urls_is_one_member() =>
        Assert.True(Check("--initial-advertise-peer-urls", "http://10.0.0.1:2380,http://10.0.0.2:2380",
            "--initial-cluster", "default=http://10.0.0.1:2380,default=http://10.0.0.2:2380").CanStart);

    [Theory]
    [InlineData("--enable-v2", "enable-v2")]
    [InlineData("--enable-pprof", "enable-pprof")]
    [InlineData("--enable-grpc-gateway", "enable-grpc-gateway")]
    public void Accepted_but_unserved_features_warn_and_start(string arg, string flag)
    {
        var report = Check(arg);
        Assert.True(report.CanStart);
        Assert.Equal(flag, Assert.Single(report.Warnings).Flag.Name);
    }

    [Theory]
    [InlineData("--enable-v2=false")]
    [InlineData("--proxy=off")]
    [InlineData("--cors=*")]
    [InlineData("--host-whitelist=*")]
    [InlineData("--auth-token=simple")]
    [InlineData("--client-cert-auth=false")]
    [InlineData("--metrics=basic")]
    [InlineData("--discovery-fallback=exit")]
    [InlineData("--peer-heartbeat-interval")]
    public void Values_that_keep_etcds_default_behaviour_start_silently(string arg)
    {
        var report = Check(arg);
        Assert.True(report.CanStart, report.Summary);
        Assert.Empty(report.Warnings);
    }

    [Fact]
    public void The_refusal_names_where_the_value_came_from()
    {
        var result = Load([], ("ETCD_CERT_FILE", "/etc/etcd/ssl/etcd.pem"));
        Assert.Equal("--cert-file (from ETCD_CERT_FILE) is not supported yet: client TLS", SupportCheck.Check(result.Values).Summary);
    }

    [Fact]
    public void Every_flag_has_a_support_status_and_unsupported_ones_say_what_is_missing() =>
        Assert.All(FlagTable.All.Where(f => f.Support.Status is SupportStatus.NotSupportedYet or SupportStatus.AcceptedWithWarning),
            f => Assert.False(string.IsNullOrEmpty(f.Support.Feature)));
}
