using Cairn.Server.Configuration;
using Cairn.Server.Configuration.Flags;
using Cairn.Server.Configuration.Sources;

namespace Cairn.Server.Tests.Configuration;

public class CommandLineParserTests
{
    [Theory]
    [InlineData("-name", "n1")]
    [InlineData("--name", "n1")]
    public void Single_and_double_dash_with_a_separate_value_are_the_same(string flag, string value)
    {
        var line = CommandLineParser.Parse([flag, value]);
        Assert.Equal("n1", line.Values.String("name"));
        Assert.Equal(ValueSource.CommandLine, line.Values["name"].Origin.Source);
    }

    [Theory]
    [InlineData("-name=n1")]
    [InlineData("--name=n1")]
    public void Equals_sign_joins_flag_and_value(string arg) =>
        Assert.Equal("n1", CommandLineParser.Parse([arg]).Values.String("name"));

    [Fact]
    public void Value_may_contain_equals_signs() =>
        Assert.Equal("a=http://h:1", CommandLineParser.Parse(["--initial-cluster=a=http://h:1"]).Values.String("initial-cluster"));

    [Fact]
    public void Empty_value_after_equals_is_a_value() =>
        Assert.Equal(string.Empty, CommandLineParser.Parse(["--name="]).Values.String("name"));

    [Fact]
    public void Value_may_start_with_a_dash_when_separate() =>
        Assert.Equal("-odd", CommandLineParser.Parse(["--name", "-odd"]).Values.String("name"));

    [Fact]
    public void Bare_boolean_means_true()
    {
        var line = CommandLineParser.Parse(["--pre-vote", "--enable-v2"]);
        Assert.True(line.Values.Bool("pre-vote"));
        Assert.True(line.Values.Bool("enable-v2"));
    }

    [Theory]
    [InlineData("--strict-reconfig-check=false", false)]
    [InlineData("--strict-reconfig-check=0", false)]
    [InlineData("--strict-reconfig-check=F", false)]
    [InlineData("--pre-vote=true", true)]
    [InlineData("--pre-vote=1", true)]
    public void Boolean_takes_a_value_only_after_equals(string arg, bool expected)
    {
        var name = arg[2..arg.IndexOf('=')];
        Assert.Equal(expected, CommandLineParser.Parse([arg]).Values.Bool(name));
    }

    [Fact]
    public void Boolean_followed_by_a_word_leaves_the_word_as_a_stray_argument()
    {
        // Go's flag package: "--enable-v2 false" is --enable-v2=true and then the argument "false".
        var line = CommandLineParser.Parse(["--enable-v2", "false"]);
        Assert.True(line.Values.Bool("enable-v2"));
        Assert.Equal(["false"], line.Positional.ToArray());
    }

    [Fact]
    public void Parsing_stops_at_the_first_non_flag()
    {
        var line = CommandLineParser.Parse(["--name", "a", "extra", "--data-dir", "x"]);
        Assert.Equal(["extra", "--data-dir", "x"], line.Positional.ToArray());
        Assert.False(line.Values.IsSet("data-dir"));
    }

    [Fact]
    public void Double_dash_ends_the_flags()
    {
        var line = CommandLineParser.Parse(["--name", "a", "--", "--data-dir", "x"]);
        Assert.Equal(["--data-dir", "x"], line.Positional.ToArray());
    }

    [Fact]
    public void A_single_dash_is_an_argument() => Assert.Equal(["-"], CommandLineParser.Parse(["-"]).Positional.ToArray());

    [Fact]
    public void Last_occurrence_wins_and_lists_are_replaced_not_appended()
    {
        var line = CommandLineParser.Parse([
            "--name", "a", "--name", "b",
            "--listen-client-urls", "http://127.0.0.1:1", "--listen-client-urls", "http://127.0.0.1:2",
        ]);
        Assert.Equal("b", line.Values.String("name"));
        Assert.Equal(["http://127.0.0.1:2"], line.Values.Urls("listen-client-urls").Urls.Select(u => u.ToString()));
    }

    [Fact]
    public void Url_lists_are_comma_separated_deduplicated_and_sorted()
    {
        var urls = CommandLineParser.Parse(["--listen-client-urls", "http://127.0.0.1:2379,http://10.0.0.1:2379,http://127.0.0.1:2379"])
            .Values.Urls("listen-client-urls").Urls;
        Assert.Equal(["http://10.0.0.1:2379", "http://127.0.0.1:2379"], urls.Select(u => u.ToString()));
    }

    [Fact]
    public void Durations_take_Go_syntax() =>
        Assert.Equal(TimeSpan.FromMinutes(90), CommandLineParser.Parse(["--grpc-keepalive-interval", "1h30m"]).Values.Duration("grpc-keepalive-interval"));

    [Fact]
    public void Integers_take_Go_base_prefixes() =>
        Assert.Equal(16UL, CommandLineParser.Parse(["--max-txn-ops", "0x10"]).Values.Unsigned("max-txn-ops"));

    [Theory]
    [InlineData("-h")]
    [InlineData("--h")]
    [InlineData("-help")]
    [InlineData("--help")]
    [InlineData("--name x --help --bogus")]
    public void Help_is_recognised_wherever_parsing_reaches_it(string args) =>
        Assert.True(CommandLineParser.Parse(args.Split(' ')).HelpRequested);

    [Fact]
    public void Help_after_the_first_argument_is_not_reached() =>
        Assert.False(CommandLineParser.Parse(["stray", "--help"]).HelpRequested);

    // Messages as etcd 3.4.23 prints them (see EtcdOracleTests for the live comparison).
    [Theory]
    [InlineData(new[] { "--bad-flag" }, "flag provided but not defined: -bad-flag")]
    [InlineData(new[] { "-name" }, "flag needs an argument: -name")]
    [InlineData(new[] { "--heartbeat-interval", "abc" }, "invalid value \"abc\" for flag -heartbeat-interval: parse error")]
    [InlineData(new[] { "--heartbeat-interval=-5" }, "invalid value \"-5\" for flag -heartbeat-interval: parse error")]
    [InlineData(new[] { "--snapshot-count", "-1" }, "invalid value \"-1\" for flag -snapshot-count: parse error")]
    [InlineData(new[] { "--max-wals", "18446744073709551616" }, "invalid value \"18446744073709551616\" for flag -max-wals: value out of range")]
    [InlineData(new[] { "--max-concurrent-streams", "5000000000" }, "invalid value \"5000000000\" for flag -max-concurrent-streams: strconv.ParseUint: parsing \"5000000000\": value out of range")]
    [InlineData(new[] { "--max-concurrent-streams", "x" }, "invalid value \"x\" for flag -max-concurrent-streams: strconv.ParseUint: parsing \"x\": invalid syntax")]
    [InlineData(new[] { "--quota-backend-bytes", "1.5" }, "invalid value \"1.5\" for flag -quota-backend-bytes: parse error")]
    [InlineData(new[] { "--grpc-keepalive-min-time", "5" }, "invalid value \"5\" for flag -grpc-keepalive-min-time: parse error")]
    [InlineData(new[] { "--initial-cluster-state", "foo" }, "invalid value \"foo\" for flag -initial-cluster-state: invalid value")]
    [InlineData(new[] { "--proxy", "bar" }, "invalid value \"bar\" for flag -proxy: invalid value")]
    [InlineData(new[] { "--listen-client-urls", "http://localhost:2379/path" }, "invalid value \"http://localhost:2379/path\" for flag -listen-client-urls: URL must not contain a path: http://localhost:2379/path")]
    [InlineData(new[] { "--enable-v2=maybe" }, "invalid boolean value \"maybe\" for -enable-v2: parse error")]
    [InlineData(new[] { "---name" }, "bad flag syntax: ---name")]
    [InlineData(new[] { "--=x" }, "bad flag syntax: --=x")]
    public void Malformed_flags_fail_with_Go_flag_messages(string[] args, string message) =>
        Assert.Equal(message, Assert.Throws<FlagSyntaxException>(() => CommandLineParser.Parse(args)).Message);

    [Fact]
    public void Retired_flags_are_accepted_bare_or_with_a_value_and_warned_about()
    {
        var line = CommandLineParser.Parse(["-peer-heartbeat-interval", "--snapshot=true", "--name", "n"]);
        Assert.Equal("n", line.Values.String("name"));
        Assert.Equal(
            ["flag \"-peer-heartbeat-interval\" is no longer supported - ignoring.", "flag \"-snapshot\" is no longer supported - ignoring."],
            line.Notices.Select(n => n.Capnslog));
    }

    [Fact]
    public void Unlisted_flags_etcd_still_accepts_are_accepted()
    {
        var line = CommandLineParser.Parse(["--enable-grpc-gateway=false", "--log-output", "stdout", "--version=false", "--unsafe-no-fsync"]);
        Assert.False(line.Values.Bool("enable-grpc-gateway"));
        Assert.True(line.Values.Bool("unsafe-no-fsync"));
        Assert.False(line.VersionRequested);
    }

    [Fact]
    public void Defaults_are_etcds_when_nothing_is_given()
    {
        var values = CommandLineParser.Parse([]).Values;
        Assert.Equal("default", values.String("name"));
        Assert.Equal("", values.String("data-dir"));
        Assert.Equal(["http://localhost:2379"], values.Urls("listen-client-urls").Urls.Select(u => u.ToString()));
        Assert.Equal(["http://localhost:2380"], values.Urls("listen-peer-urls").Urls.Select(u => u.ToString()));
        Assert.Equal("default=http://localhost:2380", values.String("initial-cluster"));
        Assert.Equal("etcd-cluster", values.String("initial-cluster-token"));
        Assert.Equal("new", values.String("initial-cluster-state"));
        Assert.Equal(100000UL, values.Unsigned("snapshot-count"));
        Assert.Equal(100UL, values.Unsigned("heartbeat-interval"));
        Assert.Equal(1000UL, values.Unsigned("election-timeout"));
        Assert.Equal(uint.MaxValue, values.Unsigned("max-concurrent-streams"));
        Assert.Equal(1572864UL, values.Unsigned("max-request-bytes"));
        Assert.Equal(TimeSpan.FromHours(2), values.Duration("grpc-keepalive-interval"));
        Assert.Equal("capnslog", values.String("logger"));
        Assert.Equal(["default"], values.Strings("log-outputs").ToArray());
        Assert.Equal(["*"], values.Urls("cors").Values.ToArray());
        Assert.Equal(["*"], values.Strings("host-whitelist").ToArray());
        Assert.All(FlagTable.All, f => Assert.False(values.IsSet(f.Name)));
    }
}
