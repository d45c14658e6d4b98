using System.Text.RegularExpressions;
using Cairn.Server.Configuration;
using Cairn.Server.Configuration.Flags;

namespace Cairn.Server.Tests.Configuration;

/// <summary>The table against etcd 3.4's own sources (Debian's golang-etcd-server-dev, which the test script installs).</summary>
public partial class FlagTableTests
{
    private const string EtcdSource = "/usr/share/gocode/src/go.etcd.io/etcd";

    [Fact]
    public void Every_flag_etcd_registers_is_in_the_table_and_no_other()
    {
        var source = File.ReadAllText(Path.Combine(EtcdSource, "etcdmain", "config.go"));
        var registered = RegisteredFlags(source).ToHashSet(StringComparer.Ordinal);
        var ignoredBlock = source[source.IndexOf("ignored = []string{", StringComparison.Ordinal)..];
        ignoredBlock = ignoredBlock[..ignoredBlock.IndexOf('}')];
        registered.UnionWith(QuotedWord().Matches(ignoredBlock).Select(m => m.Groups[1].Value));

        Assert.True(registered.Count > 90, $"only {registered.Count} flags found in {EtcdSource}");
        Assert.Equal(registered.Order(StringComparer.Ordinal), FlagTable.All.Select(f => f.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Every_config_file_key_etcd_reads_is_bound_to_a_flag()
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        keys.UnionWith(JsonTags(Path.Combine(EtcdSource, "embed", "config.go")));
        keys.UnionWith(JsonTags(Path.Combine(EtcdSource, "etcdmain", "config.go")));
        keys.Remove("-");

        var bound = FlagTable.All.Where(f => f.Yaml is not null).Select(f => f.Yaml!.Block is null ? f.Yaml.Key : f.Yaml.Block).ToHashSet(StringComparer.Ordinal);
        var nested = FlagTable.All.Where(f => f.Yaml?.Block is not null).Select(f => f.Yaml!.Key).ToHashSet(StringComparer.Ordinal);
        Assert.DoesNotContain(keys, k => !bound.Contains(k) && !nested.Contains(k));
    }

    [Fact]
    public void Help_lists_every_section_in_etcds_order_and_hides_the_unlisted_flags()
    {
        var help = HelpText.Flags();
        Assert.StartsWith("\nMember:\n", help);
        Assert.DoesNotContain("--config-file", help);
        Assert.DoesNotContain("--enable-grpc-gateway", help);
        Assert.DoesNotContain("--peer-heartbeat-interval", help);
        Assert.EndsWith("'etcdmain=CRITICAL,etcdserver=DEBUG').\n\n", help);
    }

    [Fact]
    public void Defaults_parse_with_their_own_flag_type() =>
        Assert.All(FlagTable.All.Where(f => f.Type is not IgnoredFlagType), f => Assert.NotNull(f.DefaultValue));

    /// <summary>The second argument of every <c>fs.XxxVar(...)</c> / <c>fs.Var(...)</c> call: the flag's name.</summary>
    private static IEnumerable<string> RegisteredFlags(string source)
    {
        foreach (Match call in FlagSetCall().Matches(source))
        {
            var depth = 0;
            var argument = 0;
            var start = call.Index + call.Length;
            for (var i = start; i < source.Length && depth >= 0; i++)
            {
                var c = source[i];
                if (c == '"')
                {
                    var end = source.IndexOf('"', i + 1);
                    if (argument == 1 && depth == 0)
                    {
                        yield return source[(i + 1)..end];
                        break;
                    }

                    i = end;
                }
                else if (c == '(')
                {
                    depth++;
                }
                else if (c == ')')
                {
                    depth--;
                }
                else if (c == ',' && depth == 0)
                {
                    argument++;
                }
            }
        }
    }

    private static IEnumerable<string> JsonTags(string path) => JsonTag().Matches(File.ReadAllText(path)).Select(m => m.Groups[1].Value);

    [GeneratedRegex(@"\bfs\.(?:\w+Var|Var)\(")]
    private static partial Regex FlagSetCall();

    [GeneratedRegex("\"([a-z0-9.-]+)\"")]
    private static partial Regex QuotedWord();

    [GeneratedRegex("""`json:"([^",]+)[",]""")]
    private static partial Regex JsonTag();
}
