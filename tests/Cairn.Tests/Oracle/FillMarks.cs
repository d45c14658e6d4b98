using System.Globalization;
using System.Text.Json;
using Cairn.Tests.Processes;

namespace Cairn.Tests.Oracle;

/// <summary>
/// Where a <c>fill</c> step started and ended, in revisions and raft indexes. How many puts fill a quota depends on how
/// the backend file grows (etcd's and cairn's bbolt pages differ) and on when etcd's batch commit updates the size the
/// quota reads, so every revision and raft index after the start of a fill is written relative to where it ended:
/// <c>&lt;fill-rev+2&gt;</c>, <c>&lt;fill-index-1&gt;</c>. The steps between them are still compared exactly.
/// </summary>
public sealed record FillMarks(long RevisionBefore, long RevisionAfter, long IndexBefore, long IndexAfter)
{
    /// <summary>The revision and raft index <c>etcdctl endpoint status -w json</c> reports.</summary>
    public static async Task<(long Revision, long RaftIndex)> PositionAsync(TestMember member)
    {
        var json = await member.Etcdctl.OutputAsync("endpoint", "status", "-w", "json");
        var status = JsonDocument.Parse(json).RootElement[0].GetProperty("Status");
        return (status.GetProperty("header").GetProperty("revision").GetInt64(), status.GetProperty("raftIndex").GetInt64());
    }

    public string Revision(string number) => Relative(number, RevisionBefore, RevisionAfter, "fill-rev");

    public string RaftIndex(string number) => Relative(number, IndexBefore, IndexAfter, "fill-index");

    private static string Relative(string number, long before, long after, string mark)
    {
        var value = long.Parse(number, CultureInfo.InvariantCulture);
        if (value <= before)
        {
            return number;
        }

        var offset = value - after;
        return offset switch
        {
            0 => $"<{mark}>",
            > 0 => $"<{mark}+{offset}>",
            _ => $"<{mark}{offset}>",
        };
    }
}
