using Cairn.Server.Configuration.Flags;
using Cairn.Server.Logging;
using static Cairn.Server.Tests.Configuration.ConfigurationHarness;

namespace Cairn.Server.Tests.Configuration;

public class EnvironmentOverlayTests
{
    [Fact]
    public void Every_flag_has_its_ETCD_variable() =>
        Assert.All(FlagTable.All, f => Assert.Equal("ETCD_" + f.Name.ToUpperInvariant().Replace('-', '_'), f.EnvironmentVariable));

    [Fact]
    public void Environment_sets_flags_that_are_not_given()
    {
        var config = Valid([], ("ETCD_NAME", "n1"), ("ETCD_HEARTBEAT_INTERVAL", "50"), ("ETCD_DATA_DIR", "/var/lib/etcd"));
        Assert.Equal("n1", config.Name);
        Assert.Equal(TimeSpan.FromMilliseconds(50), config.Raft.HeartbeatInterval);
        Assert.Equal("/var/lib/etcd", config.DataDir);
    }

    [Fact]
    public void Each_variable_used_is_logged_in_flag_name_order()
    {
        var result = Load(["--data-dir", "/d"], ("ETCD_NAME", "n1"), ("ETCD_HEARTBEAT_INTERVAL", "50"));
        Assert.Equal(
            ["recognized and used environment variable ETCD_HEARTBEAT_INTERVAL=50", "recognized and used environment variable ETCD_NAME=n1"],
            NoticeTexts(result).Where(t => t.StartsWith("recognized", StringComparison.Ordinal)));
        Assert.Equal(ValueSource.Environment, result.Values["name"].Origin.Source);
        Assert.Equal("ETCD_NAME", result.Values["name"].Origin.Detail);
    }

    [Fact]
    public void Command_line_flag_wins_over_its_variable_and_the_conflict_is_logged()
    {
        var result = Load(["--data-dir", "/from-flag"], ("ETCD_DATA_DIR", "/from-env"));
        Assert.Equal("/from-flag", result.Configuration!.DataDir);
        var notice = Assert.Single(result.Notices, n => n.Capnslog?.StartsWith("conflicting", StringComparison.Ordinal) == true);
        Assert.Equal(LogLevel.Warn, notice.Level);
        Assert.Equal(
            "conflicting environment variable \"ETCD_DATA_DIR\" is shadowed by corresponding command-line flag (either unset environment variable or disable flag)",
            notice.Capnslog);
    }

    [Fact]
    public void Unknown_ETCD_variables_are_warned_about_and_others_are_not()
    {
        var result = Load(["--data-dir", "/d"], ("ETCD_FOO", "bar"), ("ETCDCTL_API", "3"), ("HOME", "/root"));
        Assert.Null(result.Error);
        Assert.Equal(["unrecognized environment variable ETCD_FOO=bar"], NoticeTexts(result).Where(t => t.Contains("unrecognized", StringComparison.Ordinal)));
    }

    [Fact]
    public void Empty_variable_is_not_used_and_counts_as_unrecognized()
    {
        var result = Load(["--data-dir", "/d"], ("ETCD_NAME", ""));
        Assert.Equal("default", result.Configuration!.Name);
        Assert.Contains("unrecognized environment variable ETCD_NAME=", NoticeTexts(result));
    }

    [Fact]
    public void Bad_value_names_the_variable() =>
        Assert.Equal("invalid value \"abc\" for ETCD_HEARTBEAT_INTERVAL: parse error", Error([], ("ETCD_HEARTBEAT_INTERVAL", "abc")));

    [Fact]
    public void Of_several_bad_values_the_last_in_flag_order_is_reported_as_etcd_does() =>
        Assert.Equal("invalid value \"y\" for ETCD_MAX_WALS: parse error",
            Error([], ("ETCD_MAX_WALS", "y"), ("ETCD_ELECTION_TIMEOUT", "x")));

    [Fact]
    public void Environment_values_take_the_same_syntax_as_flags()
    {
        var config = Valid([],
            ("ETCD_LISTEN_CLIENT_URLS", "http://127.0.0.1:2379,http://10.0.0.1:2379"),
            ("ETCD_ADVERTISE_CLIENT_URLS", "http://10.0.0.1:2379"),
            ("ETCD_GRPC_KEEPALIVE_INTERVAL", "1s"),
            ("ETCD_PRE_VOTE", "true"),
            ("ETCD_STRICT_RECONFIG_CHECK", "0"),
            ("ETCD_PROXY", "off"));
        Assert.Equal(["http://10.0.0.1:2379", "http://127.0.0.1:2379"], config.Urls.ListenClient.Select(u => u.ToString()));
        Assert.Equal(TimeSpan.FromSeconds(1), config.Requests.KeepAliveInterval);
        Assert.True(config.Raft.PreVote);
        Assert.False(config.Raft.StrictReconfigCheck);
    }

    [Fact]
    public void ETCD_PROXY_off_is_accepted_silently()
    {
        var result = Load([], ("ETCD_PROXY", "off"), ("ETCD_DATA_DIR", "/d"));
        Assert.Null(result.Error);
        Assert.Contains("recognized and used environment variable ETCD_PROXY=off", NoticeTexts(result));
    }

    [Fact]
    public void Setting_listen_client_urls_by_environment_counts_as_set_for_etcds_advertise_rule() =>
        Assert.Equal("--advertise-client-urls is required when --listen-client-urls is set explicitly",
            Error([], ("ETCD_LISTEN_CLIENT_URLS", "http://127.0.0.1:2379")));

    [Fact]
    public void Variables_are_ignored_when_a_config_file_is_used_and_named_in_a_warning()
    {
        using var file = new TempFile("name: from-file\ndata-dir: /d\n");
        var result = Load(["--config-file", file.Path], ("ETCD_NAME", "from-env"));
        Assert.Equal("from-file", result.Configuration!.Name);
        Assert.Contains("ignoring environment variables ETCD_NAME because a configuration file is used", NoticeTexts(result));
    }

    [Fact]
    public void ETCD_CONFIG_FILE_names_the_config_file_when_the_flag_is_not_given()
    {
        using var file = new TempFile("name: via-env\ndata-dir: /d\n");
        Assert.Equal("via-env", Valid([], ("ETCD_CONFIG_FILE", file.Path)).Name);
    }
}
