using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Cairn.Tests;

/// <summary>
/// The same bad invocations given to etcd 3.4.23 and to cairn: same exit status, same stderr once timestamps, the
/// program's name and (for zap) the caller are set aside. Each case fails before etcd would open a port or a data dir.
/// </summary>
public partial class EtcdOracleTests
{
    public static TheoryData<string, string[], string[]> Cases() => new()
    {
        { "unknown flag", ["--bad-flag"], [] },
        { "flag without its value", ["-name"], [] },
        { "unparsable integer", ["--heartbeat-interval", "abc"], [] },
        { "negative unsigned", ["--snapshot-count", "-1"], [] },
        { "uint32 overflow", ["--max-concurrent-streams", "5000000000"], [] },
        { "duration without unit", ["--grpc-keepalive-min-time", "5"], [] },
        { "bad choice", ["--initial-cluster-state", "foo"], [] },
        { "url with a path", ["--listen-client-urls", "http://localhost:2379/path"], [] },
        { "bad boolean", ["--enable-v2=maybe"], [] },
        { "bool followed by a word", ["--enable-v2", "false"], [] },
        { "stray argument after version", ["--version", "extra"], [] },
        { "election vs heartbeat", ["--heartbeat-interval", "300", "--data-dir", "x"], [] },
        { "election too long", ["--election-timeout", "60000", "--heartbeat-interval", "1000", "--data-dir", "x"], [] },
        { "missing advertise client urls", ["--listen-client-urls", "http://127.0.0.1:2379", "--data-dir", "x"], [] },
        { "bind url with a host name", ["--listen-peer-urls", "http://example.com:2380", "--data-dir", "x"], [] },
        { "empty advertise host", ["--initial-advertise-peer-urls", "http://:2380", "--data-dir", "x"], [] },
        { "two bootstrap methods", ["--discovery", "http://x:1/abc", "--initial-cluster", "a=http://localhost:2380", "--data-dir", "x"], [] },
        { "unknown compaction mode", ["--auto-compaction-mode", "foo", "--data-dir", "x"], [] },
        { "unknown logger", ["--logger", "bogus"], [] },
        { "capnslog with two outputs", ["--log-outputs", "stderr,stdout"], [] },
        { "bad environment value", [], ["ETCD_HEARTBEAT_INTERVAL=abc", "ETCD_FOO=bar"] },
        { "environment sets listen urls only", [], ["ETCD_LISTEN_CLIENT_URLS=http://127.0.0.1:2379", "ETCD_DATA_DIR=x"] },
        { "zap logger reports a bad setting", ["--logger", "zap", "--heartbeat-interval", "300", "--data-dir", "x"], [] },
        { "missing config file", ["--config-file", "/nonexistent/etcd.yml"], [] },
        { "log file that cannot be opened", ["--logger", "zap", "--log-outputs", "/nonexistent-dir/etcd.log"], [] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Cairn_fails_as_etcd_does(string description, string[] args, string[] variables)
    {
        var environment = variables.Select(v => (v[..v.IndexOf('=')], v[(v.IndexOf('=') + 1)..])).ToArray();
        var etcd = await ProcessRunner.Etcd(args, environment);
        var cairn = await ProcessRunner.Cairn(args, environment);
        Assert.True(etcd.ExitCode != 0, $"{description}: etcd accepted it");
        Assert.Equal(etcd.ExitCode, cairn.ExitCode);
        Assert.Equal(Normalize(etcd.Stderr, fromEtcd: true), Normalize(cairn.Stderr, fromEtcd: false));
        Assert.Equal(etcd.Stdout, cairn.Stdout);
    }

    [Fact]
    public async Task Help_is_etcds_with_cairns_name()
    {
        var etcd = await ProcessRunner.Etcd(["--help"]);
        var cairn = await ProcessRunner.Cairn("--help");
        Assert.Equal(etcd.ExitCode, cairn.ExitCode);
        Assert.Equal(etcd.Stdout, cairn.Stdout);
        Assert.Equal(Normalize(etcd.Stderr, fromEtcd: true), cairn.Stderr);
    }

    [Fact]
    public async Task Config_file_type_errors_are_etcds()
    {
        var dir = Directory.CreateTempSubdirectory("cairn-oracle-");
        try
        {
            var file = Path.Combine(dir.FullName, "bad.yml");
            await File.WriteAllTextAsync(file, "log-outputs: stderr\nauto-compaction-retention: 1\n");
            var etcd = await ProcessRunner.Etcd(["--config-file", file]);
            var cairn = await ProcessRunner.Cairn("--config-file", file);
            Assert.Equal(etcd.ExitCode, cairn.ExitCode);
            Assert.Equal(Normalize(etcd.Stderr, fromEtcd: true), Normalize(cairn.Stderr, fromEtcd: false));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    /// <summary>Timestamps and zap callers vary; etcd names itself where cairn names itself.</summary>
    private static string Normalize(string stderr, bool fromEtcd)
    {
        var lines = stderr.Split('\n').Select(line =>
        {
            if (line.StartsWith('{'))
            {
                var json = JsonNode.Parse(line)!.AsObject();
                json.Remove("ts");
                json.Remove("caller");
                return json.ToJsonString();
            }

            return CapnslogTimestamp().Replace(line, "TIME ");
        });
        var text = string.Join('\n', lines);
        if (!fromEtcd)
        {
            return text;
        }

        foreach (var (etcd, cairn) in NameChanges)
        {
            text = text.Replace(etcd, cairn, StringComparison.Ordinal);
        }

        return text;
    }

    private static readonly (string, string)[] NameChanges =
    [
        ("See 'etcd --help'", "See 'cairn --help'"),
        ("  etcd [flags]\n    Start an etcd server.", "  cairn [flags]\n    Start a cairn server."),
        ("  etcd --version\n    Show the version of etcd.", "  cairn --version\n    Show the version of cairn."),
        ("  etcd -h | --help\n    Show the help information about etcd.", "  cairn -h | --help\n    Show the help information about cairn."),
        ("  etcd --config-file", "  cairn --config-file"),
        ("  etcd gateway", "  cairn gateway"),
        ("  etcd grpc-proxy", "  cairn grpc-proxy"),
    ];

    [GeneratedRegex(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6} ")]
    private static partial Regex CapnslogTimestamp();
}
