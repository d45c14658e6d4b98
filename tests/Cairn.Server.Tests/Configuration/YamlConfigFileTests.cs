using System.Collections.Immutable;
using Cairn.Server.Configuration;
using Cairn.Server.Configuration.Flags;
using Cairn.Server.Configuration.Model;
using Cairn.Server.Configuration.Sources;
using Cairn.Server.Logging;
using Cairn.Server.Tests.Configuration.TestData;
using static Cairn.Server.Tests.Configuration.ConfigurationHarness;

namespace Cairn.Server.Tests.Configuration;

public class YamlConfigFileTests
{
    private const string JsonPrefix = "error unmarshaling JSON: while decoding JSON: json: ";

    private static FlagValues Parse(string yaml) => YamlConfigFile.Parse(yaml, ImmutableArray.CreateBuilder<StartupNotice>());

    private static string ParseError(string yaml) =>
        Assert.Throws<ConfigurationException>(() => YamlConfigFile.Parse(yaml, ImmutableArray.CreateBuilder<StartupNotice>())).Message;

    private static ServerConfiguration LoadFile(string yaml, params string[] extraArgs)
    {
        using var file = new TempFile(yaml);
        return Valid(["--config-file", file.Path, .. extraArgs]);
    }

    /// <summary>The seed configuration of issue 4 (the end-to-end test starts servers on the same file).</summary>
    [Fact]
    public void Seed_configuration_of_issue_4_loads_and_can_start()
    {
        var path = TestFiles.PathOf("issue-4-seed.conf.yml");
        var result = Load(["--config-file", path]);
        Assert.Null(result.Error);
        var config = result.Configuration!;
        Assert.Equal("etcd1", config.Name);
        Assert.Equal("/var/lib/etcd", config.DataDir);
        Assert.Equal(["http://127.0.0.1:2380"], config.Urls.ListenPeer.Select(u => u.ToString()));
        Assert.Equal(["http://0.0.0.0:2379"], config.Urls.ListenClient.Select(u => u.ToString()));
        Assert.Equal(["http://127.0.0.1:2379"], config.Urls.AdvertiseClient.Select(u => u.ToString()));
        Assert.Equal(["http://127.0.0.1:2380"], config.Urls.AdvertisePeer.Select(u => u.ToString()));
        var member = Assert.Single(config.Cluster.InitialCluster);
        Assert.Equal("etcd1", member.Name);
        Assert.Equal("etcd-cluster-0", config.Cluster.Token);
        Assert.Equal(InitialClusterState.New, config.Cluster.State);
        Assert.Equal(LogFormatKind.Zap, config.Logging.Format);
        Assert.Equal(LogLevel.Info, config.Logging.MinimumLevel);
        Assert.Equal(path, config.ConfigFile);
        Assert.True(Cairn.Server.Configuration.Building.SupportCheck.Check(result.Values).CanStart);
    }

    [Fact]
    public void Etcds_sample_config_file_is_accepted_with_warnings_for_v2_and_pprof()
    {
        var result = Load(["--config-file", TestFiles.PathOf("etcd.conf.yml.sample")]);
        Assert.Null(result.Error);
        var config = result.Configuration!;
        Assert.Equal("default", config.Name);
        Assert.Equal("default.etcd", config.DataDir);
        Assert.Null(config.DedicatedWalDir);
        Assert.Equal(10000UL, config.Snapshots.SnapshotCount);
        Assert.Equal(TimeSpan.FromMilliseconds(100), config.Raft.HeartbeatInterval);
        Assert.False(config.Raft.StrictReconfigCheck);
        Assert.True(config.Features.EnableV2);
        Assert.True(config.Features.EnablePprof);
        Assert.Equal([LogTarget.Stderr], config.Logging.Targets.ToArray());
        Assert.Equal(AutoCompactionMode.Periodic, config.Compaction.Mode);
        Assert.Equal(TimeSpan.FromHours(1), config.Compaction.Period);
        Assert.Equal("default=http://localhost:2380", config.Cluster.InitialClusterText);
        Assert.Equal(ProxyMode.Off, config.Proxy.Mode);

        var support = Cairn.Server.Configuration.Building.SupportCheck.Check(result.Values);
        Assert.True(support.CanStart, support.Summary);
        Assert.Equal(["enable-v2", "enable-pprof"], support.Warnings.Select(w => w.Flag.Name));
    }

    [Fact]
    public void Transport_security_blocks_fill_the_tls_flags()
    {
        var values = Parse("""
            client-transport-security:
              trusted-ca-file: /etc/pki/tls/certs/ca.pem
              cert-file: /etc/etcd/pki/etcd1.pem
              key-file: /etc/etcd/pki/etcd1-key.pem
              client-cert-auth: True
              auto-tls: false
            peer-transport-security:
              cert-file: /p.pem
              key-file: /p-key.pem
              client-cert-auth: yes
              auto-tls: on
            """);
        Assert.Equal("/etc/etcd/pki/etcd1.pem", values.String("cert-file"));
        Assert.Equal("/etc/etcd/pki/etcd1-key.pem", values.String("key-file"));
        Assert.Equal("/etc/pki/tls/certs/ca.pem", values.String("trusted-ca-file"));
        Assert.True(values.Bool("client-cert-auth"));
        Assert.False(values.Bool("auto-tls"));
        Assert.Equal("/p.pem", values.String("peer-cert-file"));
        Assert.True(values.Bool("peer-client-cert-auth"));
        Assert.True(values.Bool("peer-auto-tls"));
        Assert.Equal("client-transport-security.cert-file", values["cert-file"].Origin.Detail);
    }

    [Fact]
    public void Lists_are_yaml_sequences_and_url_lists_are_comma_separated_strings()
    {
        var values = Parse("""
            log-outputs: [stdout, /var/log/etcd.log]
            cipher-suites:
              - TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
            listen-client-urls: http://127.0.0.1:2379,http://10.0.0.1:2379
            """);
        Assert.Equal(["stdout", "/var/log/etcd.log"], values.Strings("log-outputs").ToArray());
        Assert.Equal(["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"], values.Strings("cipher-suites").ToArray());
        Assert.Equal(["http://10.0.0.1:2379", "http://127.0.0.1:2379"], values.Urls("listen-client-urls").Urls.Select(u => u.ToString()));
    }

    [Fact]
    public void Durations_are_integer_nanoseconds_as_in_etcds_config_file()
    {
        var values = Parse("backend-batch-interval: 10000000\ngrpc-keepalive-timeout: 1000000000\n");
        Assert.Equal(TimeSpan.FromMilliseconds(10), values.Duration("backend-batch-interval"));
        Assert.Equal(TimeSpan.FromSeconds(1), values.Duration("grpc-keepalive-timeout"));
    }

    [Fact]
    public void Whole_floats_fill_integer_fields_as_they_do_through_json() =>
        Assert.Equal(200UL, Parse("heartbeat-interval: 200.0\n").Unsigned("heartbeat-interval"));

    [Fact]
    public void Keys_match_case_insensitively_as_Go_json_does() =>
        Assert.Equal("CaseName", Parse("Name: CaseName\n").String("name"));

    [Fact]
    public void Null_values_keep_defaults()
    {
        var values = Parse("data-dir:\nwal-dir: ~\ninitial-cluster:\ncors:\n");
        Assert.Equal("", values.String("data-dir"));
        Assert.Equal("default=http://localhost:2380", values.String("initial-cluster"));
        Assert.Equal(["*"], values.Urls("cors").Values.ToArray());
    }

    [Fact]
    public void Empty_file_is_all_defaults() => Assert.All(FlagTable.All, f => Assert.False(Parse("").IsSet(f.Name)));

    [Fact]
    public void Proxy_settings_turn_yaml_scalars_into_text_as_etcd_does()
    {
        // etcd decodes proxy settings in a second pass where "off" (a YAML boolean) becomes "false".
        Assert.Equal("unexpected error setting up proxyFlag: invalid value", ParseError("proxy: off\n"));
        Assert.Equal("off", Parse("proxy: 'off'\n").String("proxy"));
    }

    [Theory]
    [InlineData("log-outputs: stderr\n", "cannot unmarshal string into Go struct field configYAML.log-outputs of type []string")]
    [InlineData("log-outputs: [1]\n", "cannot unmarshal number into Go struct field configYAML.log-outputs of type string")]
    [InlineData("auto-compaction-retention: 1\n", "cannot unmarshal number into Go struct field configYAML.auto-compaction-retention of type string")]
    [InlineData("listen-client-urls: [http://localhost:2379]\n", "cannot unmarshal array into Go struct field configYAML.listen-client-urls of type string")]
    [InlineData("heartbeat-interval: abc\n", "cannot unmarshal string into Go struct field configYAML.heartbeat-interval of type uint")]
    [InlineData("heartbeat-interval: -3\n", "cannot unmarshal number -3 into Go struct field configYAML.heartbeat-interval of type uint")]
    [InlineData("heartbeat-interval: 1.5\n", "cannot unmarshal number 1.5 into Go struct field configYAML.heartbeat-interval of type uint")]
    [InlineData("max-concurrent-streams: 5000000000\n", "cannot unmarshal number 5000000000 into Go struct field configYAML.max-concurrent-streams of type uint32")]
    [InlineData("backend-batch-interval: 10ms\n", "cannot unmarshal string into Go struct field configYAML.backend-batch-interval of type time.Duration")]
    [InlineData("client-transport-security: \"x\"\n", "cannot unmarshal string into Go struct field configYAML.client-transport-security of type embed.securityConfig")]
    [InlineData("client-transport-security:\n  cert-file: 5\n", "cannot unmarshal number into Go struct field securityConfig.client-transport-security.cert-file of type string")]
    [InlineData("proxy-failure-wait: abc\n", "cannot unmarshal string into Go struct field configProxy.proxy-failure-wait of type uint")]
    [InlineData("enable-v2: 1\n", "cannot unmarshal number into Go struct field configYAML.enable-v2 of type bool")]
    [InlineData("- a\n- b\n", "cannot unmarshal array into Go value of type embed.configYAML")]
    public void Type_mismatches_fail_with_etcds_json_messages(string yaml, string message) =>
        Assert.Equal(JsonPrefix + message, ParseError(yaml));

    [Fact]
    public void The_first_type_error_in_key_order_is_reported_as_Go_does() =>
        Assert.Equal(JsonPrefix + "cannot unmarshal string into Go struct field configYAML.election-timeout of type uint",
            ParseError("heartbeat-interval: \"x\"\nelection-timeout: \"y\"\n"));

    [Theory]
    [InlineData("listen-client-urls: http://localhost:2379/x\n", "unexpected error setting up listen-client-urls: URL must not contain a path: http://localhost:2379/x")]
    [InlineData("discovery-fallback: bogus\n", "unexpected error setting up discovery-fallback flag: invalid value")]
    [InlineData("cors: \"http://a.com\"\n", "unexpected error setting up cors: URL address does not have the form \"host:port\": http://a.com")]
    public void Bad_urls_and_choices_fail_with_etcds_setup_messages(string yaml, string message)
    {
        var error = Assert.Throws<ConfigurationException>(() => YamlConfigFile.Parse(yaml, ImmutableArray.CreateBuilder<StartupNotice>()));
        Assert.Equal(message, error.Message);
        Assert.True(error.PrintBare);
    }

    [Fact]
    public void Invalid_yaml_names_the_line() =>
        Assert.StartsWith("error converting YAML to JSON: yaml: line 2: ", ParseError("name: a\n  bad: : yaml\n"));

    [Fact]
    public void Missing_file_fails_like_etcd()
    {
        var message = Error(["--config-file", "/nonexistent/cairn.yml"]);
        Assert.Equal("open /nonexistent/cairn.yml: no such file or directory", message);
    }

    [Fact]
    public void Unknown_keys_are_ignored_as_etcd_does_but_named_in_a_warning()
    {
        var notices = ImmutableArray.CreateBuilder<StartupNotice>();
        YamlConfigFile.Parse("zeta: 1\nname: x\npeer-transport-security:\n  typo-file: /x\n", notices);
        Assert.Equal(
            ["ignoring unknown key \"zeta\" in configuration file", "ignoring unknown key \"peer-transport-security.typo-file\" in configuration file"],
            notices.Select(n => n.Capnslog));
    }

    [Fact]
    public void Command_line_flags_are_ignored_with_a_config_file_and_named_in_a_warning()
    {
        using var file = new TempFile("name: from-file\ndata-dir: /d\n");
        var result = Load(["--config-file", file.Path, "--name", "from-flag"]);
        Assert.Equal("from-file", result.Configuration!.Name);
        Assert.Contains("ignoring command-line flags --name because a configuration file is used", NoticeTexts(result));
        Assert.Contains(
            $"Loading server configuration from \"{file.Path}\". Other configuration command line flags and environment variables will be ignored if provided.",
            NoticeTexts(result));
    }

    [Fact]
    public void A_bad_command_line_flag_still_stops_a_config_file_start() =>
        Assert.Throws<FlagSyntaxException>(() => CommandLineParser.Parse(["--config-file", "x.yml", "--bogus"]));

    [Fact]
    public void Listen_client_urls_in_a_file_keep_the_default_advertise_urls()
    {
        // Unlike flags, etcd's config file path does not drop the default advertise client URLs.
        var config = LoadFile("listen-client-urls: http://127.0.0.1:2379\ndata-dir: /d\n");
        Assert.Equal(["http://localhost:2379"], config.Urls.AdvertiseClient.Select(u => u.ToString()));
    }

    [Fact]
    public void Empty_cluster_state_in_a_file_means_new() =>
        Assert.Equal(InitialClusterState.New, LoadFile("initial-cluster-state: \"\"\ndata-dir: /d\n").Cluster.State);

    [Fact]
    public void Anchors_and_aliases_resolve() =>
        Assert.Equal("http://127.0.0.1:2380", Parse("listen-peer-urls: &p http://127.0.0.1:2380\ninitial-advertise-peer-urls: *p\n")
            .Urls("initial-advertise-peer-urls").Urls.Single().ToString());
}
