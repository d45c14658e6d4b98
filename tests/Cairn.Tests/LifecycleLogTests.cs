using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Cairn.Tests.Oracle;
using Cairn.Tests.Processes;
using Xunit.Abstractions;

namespace Cairn.Tests;

/// <summary>
/// The lines operators' scripts and harnesses wait for (issue 4: "Print the lifecycle lines etcd prints, with the
/// same wording"): the start settings, the member and cluster IDs, the leader elected, the member published, the
/// cluster version's capabilities, ready to serve. etcd 3.4.23 and cairn start on the same member (name, ports, data
/// dir path) with the same flags, once fresh and once on their own data dir, and must print the same lines, field
/// for field with zap and word for word with capnslog, in the same order.
/// </summary>
public sealed partial class LifecycleLogTests(ITestOutputHelper output)
{
    /// <summary>A line holding one of these is a lifecycle line (zap's "msg" or capnslog's text).</summary>
    private static readonly string[] Markers =
    [
        // The data dir holds a member already.
        "server has been already initialized", "the server is already initialized as member before",
        // The settings: one zap line, or capnslog's "name = ..." lines.
        "starting an etcd server", "embed: name = ", "embed: data dir = ", "embed: member dir = ", "embed: dedicated WAL dir = ",
        "embed: heartbeat = ", "embed: election = ", "embed: snapshot count = ", "embed: advertise client URLs = ",
        "embed: initial advertise peer URLs = ", "embed: initial cluster = ",
        // Member and cluster IDs, then the server's version.
        "starting local member", "restarting local member", "etcdserver: starting member ", "etcdserver: restarting member ",
        "starting etcd server", "etcdserver: starting server... ",
        "elected leader",
        "published local member to cluster through raft", "etcdserver: published ",
        "enabled capabilities for version",
        // capnslog's only; zap has the "serving client traffic" line in its place.
        "ready to serve client requests",
        "serving client traffic insecurely", "serving insecure client requests on ",
    ];

    /// <summary>
    /// The one line etcd orders against the others by a race: the cluster version is applied while the client
    /// listener starts (and, at a restart, while the WAL replays before the election). Checked apart.
    /// </summary>
    private const string CapabilitiesMarker = "enabled capabilities for version";

    /// <summary>Settings in zap's start line that name the build, not the behaviour: Go's for etcd, .NET's for cairn, and cairn's extras.</summary>
    private static readonly HashSet<string> BuildFields = ["git-sha", "go-version", "cairn-version", "dotnet-version", "max-txn-ops", "backend-batch-interval", "backend-batch-limit"];

    [Theory]
    [InlineData("zap")]
    [InlineData("capnslog")]
    public async Task Cairn_prints_etcds_lifecycle_lines_in_etcds_order_at_a_first_start_and_a_restart(string logger)
    {
        using var member = TestMember.Create();
        var etcd = await StartTwiceAsync(ServerKind.Etcd, member, logger);
        Directory.Delete(member.DataDir, recursive: true);
        var cairn = await StartTwiceAsync(ServerKind.Cairn, member, logger);

        foreach (var (run, etcdLines, cairnLines) in new[] { ("first start", etcd.First, cairn.First), ("restart", etcd.Restart, cairn.Restart) })
        {
            output.WriteLine($"--- {run}: etcd\n{string.Join('\n', etcdLines)}\n--- {run}: cairn\n{string.Join('\n', cairnLines)}");
            AssertSameLines(WithoutCapabilities(etcdLines), WithoutCapabilities(cairnLines), $"{logger}, {run}, in order, without the capabilities line");
            AssertSameLines(Capabilities(etcdLines), Capabilities(cairnLines), $"{logger}, {run}, the capabilities line");
        }

        // What the harness waits for, pinned on its own so a change on both sides does not pass unnoticed.
        var restart = string.Join('\n', cairn.Restart);
        Assert.Contains("elected leader <member> at term 3", restart);
        Assert.Contains(logger == "zap" ? "serving client traffic insecurely" : "ready to serve client requests", restart);
        Assert.Contains(logger == "zap" ? "msg=\"enabled capabilities for version\" cluster-version=\"3.4\"" : "enabled capabilities for version 3.4", restart);
    }

    private async Task<(List<string> First, List<string> Restart)> StartTwiceAsync(ServerKind kind, TestMember member, string logger)
    {
        var runs = new List<List<string>>();
        for (var run = 0; run < 2; run++)
        {
            await using var server = await ServerProcess.StartAsync(kind, member, output, ["--logger", logger]);
            var identity = await ServerIdentity.OfAsync(member);
            await server.StopCleanlyAsync();
            runs.Add([.. server.Log.Lines.Where(l => Markers.Any(m => l.Contains(m, StringComparison.Ordinal))).Select(l => Normalize(l, member, identity))]);
        }

        return (runs[0], runs[1]);
    }

    /// <summary>Without time stamps and callers, the member's IDs, ports and paths as placeholders (a port clash may have moved the member between servers).</summary>
    private static string Normalize(string line, TestMember member, ServerIdentity identity)
    {
        var text = line.StartsWith('{') ? ZapLine(line) : CapnslogLine(line);
        return text
            .Replace(identity.MemberId.ToString("x", CultureInfo.InvariantCulture), "<member>", StringComparison.Ordinal)
            .Replace(identity.ClusterId.ToString("x", CultureInfo.InvariantCulture), "<cluster>", StringComparison.Ordinal)
            .Replace(member.Directory, "<dir>", StringComparison.Ordinal)
            .Replace($":{member.ClientPort}", ":<client>", StringComparison.Ordinal)
            .Replace($":{member.PeerPort}", ":<peer>", StringComparison.Ordinal);
    }

    /// <summary>Level, message and every field as zap wrote it, but the time, the caller and the build's fields.</summary>
    private static string ZapLine(string line)
    {
        var text = new StringBuilder();
        foreach (var property in JsonDocument.Parse(line).RootElement.EnumerateObject())
        {
            if (property.Name is "ts" or "caller" || BuildFields.Contains(property.Name))
            {
                continue;
            }

            text.Append(text.Length == 0 ? "" : " ").Append(property.Name).Append('=').Append(property.Value.GetRawText());
        }

        return text.ToString();
    }

    private static string CapnslogLine(string line)
    {
        var match = CapnslogTimestamp().Match(line);
        if (match.Success)
        {
            return line[match.Length..];
        }

        match = GoLogTimestamp().Match(line);
        return match.Success ? "raft " + line[match.Length..] : line;
    }

    private static List<string> WithoutCapabilities(List<string> lines) => [.. lines.Where(l => !l.Contains(CapabilitiesMarker, StringComparison.Ordinal))];

    private static List<string> Capabilities(List<string> lines) => [.. lines.Where(l => l.Contains(CapabilitiesMarker, StringComparison.Ordinal))];

    private static void AssertSameLines(List<string> etcd, List<string> cairn, string what)
    {
        if (!etcd.SequenceEqual(cairn))
        {
            Assert.Fail($"{what}: cairn's lifecycle lines differ from etcd's:\n{TextDiff.Unified(etcd, cairn, "etcd", "cairn")}");
        }
    }

    /// <summary>capnslog's "2006-01-02 15:04:05.000000 ".</summary>
    [GeneratedRegex(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6} ")]
    private static partial Regex CapnslogTimestamp();

    /// <summary>Go's standard log after raft's prefix: "raft2006/01/02 15:04:05 ".</summary>
    [GeneratedRegex(@"^raft\d{4}/\d\d/\d\d \d\d:\d\d:\d\d ")]
    private static partial Regex GoLogTimestamp();
}
