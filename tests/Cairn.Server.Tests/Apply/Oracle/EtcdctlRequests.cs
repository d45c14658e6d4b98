using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Cairn.Protocol.Etcdserverpb;
using Google.Protobuf;

namespace Cairn.Server.Tests.Apply.Oracle;

/// <summary>
/// The request etcdctl 3.4 sends for a command line (put, get, del, compact, txn with its
/// interactive input), as its command code and clientv3's options build it: --prefix ends the
/// range at the key's successor, an empty key with --prefix or --from-key becomes "\0", a key
/// sort in ascending order is sent as no order.
/// </summary>
internal static partial class EtcdctlRequests
{
    public static InternalRaftRequest Parse(IReadOnlyList<string> args, string? stdin = null)
    {
        var (positional, flags) = Split(args.Skip(1));
        return args[0] switch
        {
            "put" => new InternalRaftRequest { Put = Put(positional, flags) },
            "get" => new InternalRaftRequest { Range = Get(positional, flags) },
            "del" => new InternalRaftRequest { DeleteRange = Delete(positional, flags) },
            "compact" => new InternalRaftRequest
            {
                Compaction = new CompactionRequest { Revision = long.Parse(positional[0], CultureInfo.InvariantCulture), Physical = flags.ContainsKey("physical") },
            },
            "txn" => new InternalRaftRequest { Txn = Txn(stdin ?? "") },
            _ => throw new ArgumentException($"etcdctl command {args[0]} is not translated"),
        };
    }

    private static ByteString B(string s) => ByteString.CopyFromUtf8(s);

    private static (List<string> Positional, Dictionary<string, string> Flags) Split(IEnumerable<string> args)
    {
        var positional = new List<string>();
        var flags = new Dictionary<string, string>();
        foreach (var arg in args)
        {
            if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                int eq = arg.IndexOf('=', StringComparison.Ordinal);
                flags[eq < 0 ? arg[2..] : arg[2..eq]] = eq < 0 ? "true" : arg[(eq + 1)..];
            }
            else
            {
                positional.Add(arg);
            }
        }
        return (positional, flags);
    }

    private static PutRequest Put(List<string> positional, Dictionary<string, string> flags)
    {
        var put = new PutRequest
        {
            Key = B(positional[0]),
            PrevKv = flags.ContainsKey("prev-kv"),
            IgnoreValue = flags.ContainsKey("ignore-value"),
            IgnoreLease = flags.ContainsKey("ignore-lease"),
            Lease = long.Parse(flags.GetValueOrDefault("lease", "0"), NumberStyles.HexNumber, CultureInfo.InvariantCulture),
        };
        if (!put.IgnoreValue)
        {
            put.Value = B(positional[1]);
        }
        return put;
    }

    private static (ByteString Key, ByteString End) KeyAndEnd(List<string> positional, Dictionary<string, string> flags)
    {
        var key = B(positional[0]);
        var end = positional.Count > 1 ? B(positional[1]) : ByteString.Empty;
        if (flags.ContainsKey("prefix") || flags.ContainsKey("from-key"))
        {
            if (key.IsEmpty)
            {
                return (ByteString.CopyFrom(0), ByteString.CopyFrom(0));
            }
            end = flags.ContainsKey("from-key") ? ByteString.CopyFrom(0) : PrefixEnd(key);
        }
        return (key, end);
    }

    /// <summary>clientv3's getPrefix: the last byte below 0xff incremented, the rest dropped.</summary>
    private static ByteString PrefixEnd(ByteString key)
    {
        var end = key.ToByteArray();
        for (int i = end.Length - 1; i >= 0; i--)
        {
            if (end[i] < 0xff)
            {
                end[i]++;
                return ByteString.CopyFrom(end, 0, i + 1);
            }
        }
        return ByteString.CopyFrom(0);
    }

    private static RangeRequest Get(List<string> positional, Dictionary<string, string> flags)
    {
        var (key, end) = KeyAndEnd(positional, flags);
        var range = new RangeRequest
        {
            Key = key,
            RangeEnd = end,
            Limit = long.Parse(flags.GetValueOrDefault("limit", "0"), CultureInfo.InvariantCulture),
            Revision = Math.Max(0, long.Parse(flags.GetValueOrDefault("rev", "0"), CultureInfo.InvariantCulture)),
            KeysOnly = flags.ContainsKey("keys-only"),
            Serializable = flags.GetValueOrDefault("consistency") == "s",
            SortOrder = flags.GetValueOrDefault("order", "").ToUpperInvariant() switch
            {
                "ASCEND" => RangeRequest.Types.SortOrder.Ascend,
                "DESCEND" => RangeRequest.Types.SortOrder.Descend,
                _ => RangeRequest.Types.SortOrder.None,
            },
            SortTarget = flags.GetValueOrDefault("sort-by", "").ToUpperInvariant() switch
            {
                "CREATE" => RangeRequest.Types.SortTarget.Create,
                "MODIFY" => RangeRequest.Types.SortTarget.Mod,
                "VALUE" => RangeRequest.Types.SortTarget.Value,
                "VERSION" => RangeRequest.Types.SortTarget.Version,
                _ => RangeRequest.Types.SortTarget.Key,
            },
        };
        if (range.SortTarget == RangeRequest.Types.SortTarget.Key && range.SortOrder == RangeRequest.Types.SortOrder.Ascend)
        {
            range.SortOrder = RangeRequest.Types.SortOrder.None;
        }
        return range;
    }

    private static DeleteRangeRequest Delete(List<string> positional, Dictionary<string, string> flags)
    {
        var (key, end) = KeyAndEnd(positional, flags);
        return new DeleteRangeRequest { Key = key, RangeEnd = end, PrevKv = flags.ContainsKey("prev-kv") };
    }

    [GeneratedRegex("""^(\w+)\("([^"]*)"\) (\S+) "([^"]*)"$""")]
    private static partial Regex CompareLine();

    [GeneratedRegex("""
        "(?:[^"\\]|\\.)*"|'[^']*'|[^'"\s]\S*[^'"\s]?
        """)]
    private static partial Regex Argument();

    /// <summary>etcdctl txn -i input: compares, a blank line, success ops, a blank line, failure ops, a blank line.</summary>
    private static TxnRequest Txn(string input)
    {
        // As etcdctl reads it: each section ends at the first empty line.
        var sections = new List<List<string>> { new(), new(), new() };
        int section = 0;
        foreach (var raw in input.Split('\n'))
        {
            string line = raw.Trim();
            if (line.Length == 0)
            {
                section++;
            }
            else if (section < 3)
            {
                sections[section].Add(line);
            }
        }
        var txn = new TxnRequest();
        foreach (var line in sections[0])
        {
            var m = CompareLine().Match(line);
            if (!m.Success)
            {
                throw new FormatException($"not an etcdctl compare: {line}");
            }
            var compare = new Compare
            {
                Key = B(m.Groups[2].Value),
                Result = m.Groups[3].Value switch
                {
                    "=" => Compare.Types.CompareResult.Equal,
                    "!=" => Compare.Types.CompareResult.NotEqual,
                    ">" => Compare.Types.CompareResult.Greater,
                    _ => Compare.Types.CompareResult.Less,
                },
            };
            string v = m.Groups[4].Value;
            switch (m.Groups[1].Value)
            {
                case "ver" or "version":
                    compare.Target = Compare.Types.CompareTarget.Version;
                    compare.Version = long.Parse(v, CultureInfo.InvariantCulture);
                    break;
                case "c" or "create":
                    compare.Target = Compare.Types.CompareTarget.Create;
                    compare.CreateRevision = long.Parse(v, CultureInfo.InvariantCulture);
                    break;
                case "m" or "mod":
                    compare.Target = Compare.Types.CompareTarget.Mod;
                    compare.ModRevision = long.Parse(v, CultureInfo.InvariantCulture);
                    break;
                default:
                    compare.Target = Compare.Types.CompareTarget.Value;
                    compare.Value = B(v);
                    break;
            }
            txn.Compare.Add(compare);
        }
        txn.Success.AddRange(sections[1].Select(Op));
        txn.Failure.AddRange(sections[2].Select(Op));
        return txn;
    }

    private static RequestOp Op(string line)
    {
        var args = Argument().Matches(line).Select(m => m.Value.Trim('"')).ToList();
        var request = Parse(args);
        return request switch
        {
            { Put: { } p } => new RequestOp { RequestPut = p },
            { Range: { } r } => new RequestOp { RequestRange = r },
            { DeleteRange: { } d } => new RequestOp { RequestDeleteRange = d },
            _ => throw new FormatException($"not an etcdctl txn operation: {line}"),
        };
    }
}
