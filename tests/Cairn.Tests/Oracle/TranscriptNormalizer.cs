using System.Globalization;
using System.Text.RegularExpressions;

namespace Cairn.Tests.Oracle;

/// <summary>
/// Replaces in etcdctl's output what legitimately differs from run to run and from etcd to cairn, and nothing
/// else: the member and cluster IDs (they hash the peer URL, whose port is free-chosen), the ports, the raft term,
/// the database size (and a snapshot's hash and size), and durations. Tables are laid out again from their trimmed
/// cells, since tablewriter sizes columns from their content.
/// </summary>
public static partial class TranscriptNormalizer
{
    private static readonly Dictionary<string, string> TableColumns = new(StringComparer.Ordinal)
    {
        ["DB SIZE"] = "<db-size>",
        ["RAFT TERM"] = "<raft-term>",
        ["TOOK"] = "<took>",
        ["HASH"] = "<hash>",
        ["TOTAL SIZE"] = "<db-size>",
    };

    public static List<string> Normalize(IEnumerable<string> lines, ServerIdentity identity)
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
            line = JsonSnapshot().Replace(line, m => $"\"{m.Groups[1].Value}\":<{(m.Groups[1].Value == "hash" ? "hash" : "db-size")}>");
            line = FieldsRaftTerm().Replace(line, "\"RaftTerm\" : <raft-term>");
            line = FieldsDbSize().Replace(line, "\"DBSize\" : <db-size>");
            line = FieldsTook().Replace(line, "\"Took\" : <took>");
            line = SimpleTook().Replace(line, "took = <took>");
            line = ClientLogTime().Replace(line, "\"ts\":\"<ts>\"");
            line = ClientTarget().Replace(line, "endpoint://client-<uuid>/");
            return SimpleEndpointStatus(line);
        }).ToList();
        return NormalizeTables(normalized);
    }

    /// <summary>endpoint status, simple: "endpoint, id, version, db size, leader, learner, term, index, applied, errors".</summary>
    private static string SimpleEndpointStatus(string line)
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
        return string.Join(", ", fields);
    }

    private static List<string> NormalizeTables(List<string> lines)
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
                    if (TableColumns.TryGetValue(header[c], out var placeholder))
                    {
                        cells[c] = placeholder;
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

    [GeneratedRegex("took = .*$")]
    private static partial Regex SimpleTook();
}
