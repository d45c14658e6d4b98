using System.Globalization;
using System.Text.RegularExpressions;

namespace Cairn.Tests.Oracle;

/// <summary>
/// Replaces in etcdctl's output what legitimately differs from run to run and from etcd to cairn, and nothing
/// else: the member and cluster IDs (they hash the peer URL, whose port is free-chosen), the ports, the raft term,
/// the database size (and a snapshot's hash and size), and durations. Tables are laid out again from their trimmed
/// cells, since tablewriter sizes columns from their content. After a <c>fill</c> step, revisions and raft indexes are
/// written relative to where it ended (<see cref="FillMarks"/>). The hash of <c>endpoint hashkv</c> is compared as it is.
/// Two etcd 3.5 additions cairn makes (DESIGN: "3.5 additions where cheap") are set aside as documented differences:
/// /health's "reason" field (etcd 3.4 answers <c>{"health":"false"}</c> alone; the Content-Length of that answer is
/// counted without it), and the header of an alarm response (etcd 3.4 leaves it unset; see <see cref="WithoutAlarmHeader"/>).
/// </summary>
public static partial class TranscriptNormalizer
{
    private static readonly Dictionary<string, string> TableColumns = new(StringComparer.Ordinal)
    {
        ["DB SIZE"] = "<db-size>",
        ["RAFT TERM"] = "<raft-term>",
        ["TOOK"] = "<took>",
        ["TOTAL SIZE"] = "<db-size>",
    };

    /// <summary>snapshot status's table (HASH | REVISION | TOTAL KEYS | TOTAL SIZE): the hash depends on the page layout.</summary>
    private const string SnapshotHashColumn = "HASH";

    private static readonly string[] RevisionColumns = ["REVISION"];

    private static readonly string[] RaftIndexColumns = ["RAFT INDEX", "RAFT APPLIED INDEX"];

    public static List<string> Normalize(IEnumerable<string> lines, ServerIdentity identity, FillMarks? fill = null)
    {
        // An ID of 0 or port 0 stands for "none" (etcd never uses them): there is nothing to replace then.
        var replacements = new (string From, string To)[]
        {
            (identity.MemberId.ToString(CultureInfo.InvariantCulture), "<member-id>"),
            (identity.ClusterId.ToString(CultureInfo.InvariantCulture), "<cluster-id>"),
            (identity.MemberId.ToString("x", CultureInfo.InvariantCulture), "<member-id>"),
            (identity.ClusterId.ToString("x", CultureInfo.InvariantCulture), "<cluster-id>"),
            ($"127.0.0.1:{identity.ClientPort}", "127.0.0.1:<client-port>"),
            ($"127.0.0.1:{identity.PeerPort}", "127.0.0.1:<peer-port>"),
        }.Where(r => r.From is not ("0" or "127.0.0.1:0")).ToArray();
        var normalized = lines.Select(line =>
        {
            foreach (var (from, to) in replacements)
            {
                line = line.Replace(from, to, StringComparison.Ordinal);
            }

            line = JsonRaftTerm().Replace(line, "\"$1\":<raft-term>");
            line = JsonDbSize().Replace(line, "\"$1\":<db-size>");
            line = JsonTook().Replace(line, "\"took\":\"<took>\"");
            if (line.Contains("\"totalSize\":", StringComparison.Ordinal))
            {
                line = JsonSnapshot().Replace(line, m => $"\"{m.Groups[1].Value}\":<{(m.Groups[1].Value == "hash" ? "hash" : "db-size")}>");
            }

            line = FieldsRaftTerm().Replace(line, "\"RaftTerm\" : <raft-term>");
            line = FieldsDbSize().Replace(line, "\"DBSize\" : <db-size>");
            line = FieldsTook().Replace(line, "\"Took\" : <took>");
            line = SimpleTook().Replace(line, "took = <took>");
            line = ClientLogTime().Replace(line, "\"ts\":\"<ts>\"");
            line = ClientTarget().Replace(line, "endpoint://client-<uuid>/");
            if (fill is not null)
            {
                line = JsonRevision().Replace(line, m => $"\"{m.Groups[1].Value}\":{fill.Revision(m.Groups[2].Value)}");
                line = JsonRaftIndex().Replace(line, m => $"\"{m.Groups[1].Value}\":{fill.RaftIndex(m.Groups[2].Value)}");
                line = CompactedRevision().Replace(line, m => $"compacted revision {fill.Revision(m.Groups[1].Value)}");
                line = FieldsPosition().Replace(line, m => $"\"{m.Groups[1].Value}\" : " +
                    (m.Groups[1].Value == "Revision" ? fill.Revision(m.Groups[2].Value) : fill.RaftIndex(m.Groups[2].Value)));
            }

            return SimpleEndpointStatus(line, fill);
        }).ToList();
        return NormalizeTables(WithoutHealthReason(normalized), fill);
    }

    /// <summary>
    /// <c>etcdctl alarm ... -w json</c>: etcd 3.4 sends the AlarmResponse without a header (<c>{"alarms":[...]}</c>, and
    /// <c>-w fields</c> panics on the nil header); etcd 3.5 and cairn fill it. Read as etcd 3.4's.
    /// </summary>
    public static List<string> WithoutAlarmHeader(List<string> lines) =>
        [.. lines.Select(l => AlarmHeader().Replace(l, m => m.Groups[1].Value == "}" ? "{}" : "{"))];

    /// <summary>etcd 3.5's <c>{"health":"false","reason":"ALARM NOSPACE"}</c> read as etcd 3.4's <c>{"health":"false"}</c>.</summary>
    private static List<string> WithoutHealthReason(List<string> lines)
    {
        var body = lines.FindIndex(l => HealthReason().IsMatch(l));
        if (body < 0)
        {
            return lines;
        }

        var without = HealthReason().Replace(lines[body], "$1}");
        var removed = lines[body].Length - without.Length;
        lines[body] = without;
        var length = lines.FindIndex(l => l.StartsWith("content-length: ", StringComparison.Ordinal));
        if (length >= 0 && length < body)
        {
            var value = int.Parse(lines[length]["content-length: ".Length..], CultureInfo.InvariantCulture);
            lines[length] = $"content-length: {value - removed}";
        }

        return lines;
    }

    /// <summary>endpoint status, simple: "endpoint, id, version, db size, leader, learner, term, index, applied, errors".</summary>
    private static string SimpleEndpointStatus(string line, FillMarks? fill)
    {
        if (!line.StartsWith("127.0.0.1:<client-port>, ", StringComparison.Ordinal))
        {
            return line;
        }

        var fields = line.Split(", ");
        if (fields.Length != 10)
        {
            return line;
        }

        fields[3] = "<db-size>";
        fields[6] = "<raft-term>";
        if (fill is not null)
        {
            fields[7] = fill.RaftIndex(fields[7]);
            fields[8] = fill.RaftIndex(fields[8]);
        }

        return string.Join(", ", fields);
    }

    private static List<string> NormalizeTables(List<string> lines, FillMarks? fill)
    {
        var result = new List<string>(lines.Count);
        string[]? header = null;
        foreach (var line in lines)
        {
            if (line.StartsWith("+-", StringComparison.Ordinal) && line.EndsWith('+'))
            {
                result.Add("+--+");
                continue;
            }

            if (!(line.StartsWith("| ", StringComparison.Ordinal) && line.EndsWith(" |", StringComparison.Ordinal)))
            {
                header = null;
                result.Add(line);
                continue;
            }

            var cells = line[1..^1].Split('|').Select(c => c.Trim()).ToArray();
            if (header is null)
            {
                header = cells;
            }
            else
            {
                for (var c = 0; c < cells.Length && c < header.Length; c++)
                {
                    if (cells[c].Length == 0)
                    {
                        // A cell's wrapped second line leaves the others empty.
                    }
                    else if (TableColumns.TryGetValue(header[c], out var placeholder))
                    {
                        cells[c] = placeholder;
                    }
                    else if (header[c] == SnapshotHashColumn && header.Contains("TOTAL SIZE"))
                    {
                        cells[c] = "<hash>";
                    }
                    else if (fill is not null && cells[c].All(char.IsAsciiDigit))
                    {
                        cells[c] = RevisionColumns.Contains(header[c]) ? fill.Revision(cells[c])
                            : RaftIndexColumns.Contains(header[c]) ? fill.RaftIndex(cells[c])
                            : cells[c];
                    }
                }
            }

            result.Add("| " + string.Join(" | ", cells) + " |");
        }

        return result;
    }

    [GeneratedRegex("\"(raft_term|raftTerm)\":\\d+")]
    private static partial Regex JsonRaftTerm();

    [GeneratedRegex("\"(dbSize|dbSizeInUse)\":\\d+")]
    private static partial Regex JsonDbSize();

    [GeneratedRegex("\"took\":\"[^\"]*\"")]
    private static partial Regex JsonTook();

    [GeneratedRegex("\"(hash|totalSize)\":\\d+")]
    private static partial Regex JsonSnapshot();

    [GeneratedRegex("^\"RaftTerm\" : \\d+$")]
    private static partial Regex FieldsRaftTerm();

    [GeneratedRegex("^\"DBSize\" : \\d+$")]
    private static partial Regex FieldsDbSize();

    [GeneratedRegex("^\"Took\" : .*$")]
    private static partial Regex FieldsTook();

    /// <summary>etcdctl's own zap warnings on stderr ("retrying of unary invoker failed") carry a time and a random client id.</summary>
    [GeneratedRegex("(?<=^! \\{\"level\":\"[a-z]+\",)\"ts\":\"[^\"]*\"")]
    private static partial Regex ClientLogTime();

    [GeneratedRegex("endpoint://client-[0-9a-f-]+/")]
    private static partial Regex ClientTarget();

    [GeneratedRegex("\"(revision|create_revision|mod_revision|compact_revision)\":(\\d+)")]
    private static partial Regex JsonRevision();

    [GeneratedRegex("\"(raftIndex|raftAppliedIndex)\":(\\d+)")]
    private static partial Regex JsonRaftIndex();

    [GeneratedRegex("^compacted revision (\\d+)$")]
    private static partial Regex CompactedRevision();

    [GeneratedRegex("^\"(Revision|RaftIndex|RaftAppliedIndex)\" : (\\d+)$")]
    private static partial Regex FieldsPosition();

    [GeneratedRegex("^(\\{\"health\":\"(?:true|false)\"),\"reason\":\"[^\"]*\"\\}$")]
    private static partial Regex HealthReason();

    [GeneratedRegex("^\\{\"header\":\\{[^{}]*\\}(,|\\}$)")]
    private static partial Regex AlarmHeader();

    [GeneratedRegex("took = .*$")]
    private static partial Regex SimpleTook();
}
