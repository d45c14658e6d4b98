using Cairn.Tests.Processes;

namespace Cairn.Tests.Oracle;

/// <summary>
/// Everything a client can read from a store, as etcdctl prints it: every key at the current revision and at every
/// revision since the last compaction (values, create/mod revisions, versions), normalised as the oracle does so that
/// dumps from etcd and cairn, or from two members, compare equal when their data is.
/// </summary>
public static class StoreDump
{
    public static async Task<IReadOnlyList<string>> TakeAsync(TestMember member, long compactedRevision)
    {
        var identity = await ServerIdentity.OfAsync(member);
        var lines = new List<string> { await member.Etcdctl.OutputAsync("get", "", "--from-key", "-w", "json") };
        var current = System.Text.Json.JsonDocument.Parse(lines[0]).RootElement.GetProperty("header").GetProperty("revision").GetInt64();
        for (var revision = compactedRevision; revision <= current; revision++)
        {
            lines.Add($"@{revision}: " + await member.Etcdctl.OutputAsync("get", "", "--from-key", "-w", "json", $"--rev={revision}"));
        }

        lines.Add($"@{compactedRevision - 1}:");
        lines.AddRange(Transcript.Of(await member.Etcdctl.RunAsync("get", "a", $"--rev={compactedRevision - 1}")));
        return TranscriptNormalizer.Normalize(lines.Select(l => l.TrimEnd('\n')), identity);
    }
}
