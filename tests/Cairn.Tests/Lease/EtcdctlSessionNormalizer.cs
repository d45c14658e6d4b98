using System.Globalization;
using System.Text.RegularExpressions;
using Cairn.Tests.Processes;

namespace Cairn.Tests.Lease;

/// <summary>
/// Makes one server's etcdctl outputs comparable with another's: lease IDs (chosen by each
/// server) become L1, L2... in order of grant, in hex and in decimal; the header fields only a
/// server knows (cluster, member, raft term) are dropped; remaining TTLs, which depend on when
/// the command ran, become NN; attached keys, which etcd lists in map order, are sorted;
/// client-side retry warnings (with timestamps) are left out.
/// </summary>
internal sealed partial class EtcdctlSessionNormalizer
{
    private readonly List<long> _leases = [];

    /// <summary>The real hex ID for a placeholder L1, L2...; other arguments as they are.</summary>
    public string Resolve(string argument) => LeasePlaceholder().Replace(argument, m =>
    {
        int index = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) - 1;
        return index < _leases.Count ? _leases[index].ToString("x", CultureInfo.InvariantCulture) : m.Value;
    });

    /// <summary>Learns the ID a grant printed (<paramref name="isGrant"/>), then normalizes the output.</summary>
    public string Normalize(CommandResult outcome, bool isGrant)
    {
        if (isGrant && GrantedSimple().Match(outcome.Stdout) is { Success: true } simple)
        {
            _leases.Add(long.Parse(simple.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture));
        }
        else if (isGrant && GrantedJson().Match(outcome.Stdout) is { Success: true } json)
        {
            _leases.Add(long.Parse(json.Groups[1].Value, CultureInfo.InvariantCulture));
        }
        var stderr = string.Join('\n', outcome.Stderr.Split('\n').Where(l => !l.StartsWith("{\"level\":\"warn\"", StringComparison.Ordinal)));
        return $"exit {outcome.ExitCode}\n{Text(outcome.Stdout)}\n{Text(stderr)}";
    }

    private string Text(string text)
    {
        for (int i = 0; i < _leases.Count; i++)
        {
            var id = _leases[i];
            text = text.Replace(id.ToString("x16", CultureInfo.InvariantCulture), $"L{i + 1}", StringComparison.Ordinal);
            text = Regex.Replace(text, $@"\b{id.ToString(CultureInfo.InvariantCulture)}\b", $"L{i + 1}");
        }
        text = ServerFields().Replace(text, "\"$1\":0");
        text = Remaining().Replace(text, "remaining(NNs)");
        text = JsonRemaining().Replace(text, "\"ttl\":NN");
        text = AttachedKeys().Replace(text, m => $"attached keys([{string.Join(' ', m.Groups[1].Value.Split(' ').Order(StringComparer.Ordinal))}])");
        text = JsonKeys().Replace(text, m => $"\"keys\":[{string.Join(',', m.Groups[1].Value.Split(',').Order(StringComparer.Ordinal))}]");
        return text;
    }

    [GeneratedRegex(@"\bL(\d+)\b")]
    private static partial Regex LeasePlaceholder();

    [GeneratedRegex(@"lease ([0-9a-f]{16}) granted with")]
    private static partial Regex GrantedSimple();

    [GeneratedRegex(@"""ID"":(\d+),""TTL"":\d+,""Error""")]
    private static partial Regex GrantedJson();

    [GeneratedRegex(@"""(cluster_id|member_id|raft_term)"":\d+")]
    private static partial Regex ServerFields();

    [GeneratedRegex(@"remaining\(\d+s\)")]
    private static partial Regex Remaining();

    [GeneratedRegex(@"""ttl"":\d+")]
    private static partial Regex JsonRemaining();

    [GeneratedRegex(@"attached keys\(\[([^\]]*)\]\)")]
    private static partial Regex AttachedKeys();

    [GeneratedRegex(@"""keys"":\[([^\]]*)\]")]
    private static partial Regex JsonKeys();
}
