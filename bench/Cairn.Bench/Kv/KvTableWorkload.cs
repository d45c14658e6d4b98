using System.Globalization;
using System.Text;

namespace Cairn.Bench.Kv;

/// <summary>
/// The side-by-side table of a results file written by <c>bench/kv.sh</c>: per workload and
/// number of clients, the baseline's and the candidate's throughput, p50, p99 and RSS, and the
/// candidate/baseline ratios. With several rounds, each side shows its median-throughput round.
/// </summary>
public sealed class KvTableWorkload : IWorkload
{
    public string Name => "kv-table";

    public string Description => "side-by-side table of a kv results file [--baseline etcd] [--candidate cairn]";

    public async Task<int> RunAsync(string[] args)
    {
        if (args.Length == 0)
        {
            Console.Error.WriteLine("usage: Cairn.Bench kv-table RESULTS [--baseline etcd] [--candidate cairn]");
            return 2;
        }
        var baseline = "etcd";
        var candidate = "cairn";
        for (var i = 1; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--baseline": baseline = args[i + 1]; break;
                case "--candidate": candidate = args[i + 1]; break;
                default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
            }
        }
        var rows = (await File.ReadAllLinesAsync(args[0])).Where(l => l.Length > 0).Select(KvResultRow.Parse).ToList();
        Console.Write(Render(rows, baseline, candidate));
        return 0;
    }

    internal static string Render(IReadOnlyList<KvResultRow> rows, string baseline, string candidate)
    {
        var output = new StringBuilder();
        output.AppendLine(CultureInfo.InvariantCulture,
            $"| workload | clients | {baseline} ops/s | p50 ms | p99 ms | RSS MiB peak/end | {candidate} ops/s | p50 ms | p99 ms | RSS MiB peak/end | ops/s {candidate}/{baseline} | p99 {candidate}/{baseline} |");
        output.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        var cost = new StringBuilder();
        var notes = new List<string>();
        foreach (var group in rows.GroupBy(r => (r.Workload, r.Clients)))
        {
            var b = Median(group, baseline);
            var c = Median(group, candidate);
            output.Append(CultureInfo.InvariantCulture, $"| {group.Key.Workload} | {group.Key.Clients} | ");
            output.Append(Side(b, Ran(group, baseline))).Append(Side(c, Ran(group, candidate)));
            output.AppendLine(CultureInfo.InvariantCulture,
                $"{Ratio(c?.OpsPerSecond, b?.OpsPerSecond)} | {Ratio(c?.P99Micros, b?.P99Micros)} |");
            cost.AppendLine(CultureInfo.InvariantCulture,
                $"| {group.Key.Workload} | {group.Key.Clients} | {Cpu(b, r => r.ServerCpuMicrosPerOp)} | {Cpu(c, r => r.ServerCpuMicrosPerOp)} | {Cpu(b, r => r.ClientCpuMicrosPerOp)} | {Cpu(c, r => r.ClientCpuMicrosPerOp)} |");
            foreach (var r in group.Where(r => r.Failure is not null || r.Errors > 0))
            {
                notes.Add(r.Failure is not null
                    ? $"{r.Label} {r.Workload} {r.Clients}: failed: {r.Failure}"
                    : $"{r.Label} {r.Workload} {r.Clients}: {r.Errors} errors (texts in the run's log)");
            }
        }
        output.AppendLine();
        var client = string.Join(" and ", rows.Select(r => r.Client).Where(c => c.Length > 0).Distinct());
        var generator = client.Length > 0 ? $"load generator ({client} client)" : "load generator";
        output.AppendLine(CultureInfo.InvariantCulture,
            $"| workload | clients | {baseline} server CPU µs/op | {candidate} server CPU µs/op | {generator} CPU µs/op ({baseline}) | ({candidate}) |");
        output.AppendLine("|---|---:|---:|---:|---:|---:|");
        output.Append(cost);
        AppendRounds(output, rows, baseline, candidate);
        foreach (var note in notes)
        {
            output.AppendLine().Append(note);
        }
        if (notes.Count > 0)
        {
            output.AppendLine();
        }
        return output.ToString();
    }

    /// <summary>
    /// With more than one round, every round's throughput and p99 on both sides and their ratios:
    /// the spread between rounds. The k-th run of a side is its round k; the two runs of a round
    /// ran back to back, so their ratio is steadier than either number on a shared machine.
    /// </summary>
    private static void AppendRounds(StringBuilder output, IReadOnlyList<KvResultRow> rows, string baseline, string candidate)
    {
        var groups = rows.GroupBy(r => (r.Workload, r.Clients)).ToList();
        if (!groups.Any(g => g.Count(r => r.Label == baseline) > 1 || g.Count(r => r.Label == candidate) > 1))
        {
            return;
        }
        output.AppendLine();
        output.AppendLine(CultureInfo.InvariantCulture,
            $"| workload | clients | {baseline} ops/s by round | {candidate} ops/s by round | ops/s {candidate}/{baseline} by round | {baseline} p99 ms by round | {candidate} p99 ms by round | p99 {candidate}/{baseline} by round |");
        output.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var group in groups)
        {
            var b = group.Where(r => r.Label == baseline).ToList();
            var c = group.Where(r => r.Label == candidate).ToList();
            var pairs = Enumerable.Range(0, Math.Min(b.Count, c.Count)).Select(k => (b[k], c[k])).ToList();
            output.AppendLine(CultureInfo.InvariantCulture,
                $"| {group.Key.Workload} | {group.Key.Clients} | {Each(b, r => r.OpsPerSecond, "N0")} | {Each(c, r => r.OpsPerSecond, "N0")} | " +
                $"{Ratios(pairs, r => r.OpsPerSecond)} | " +
                $"{Each(b, r => r.P99Micros / 1000, "F1")} | {Each(c, r => r.P99Micros / 1000, "F1")} | " +
                $"{Ratios(pairs, r => r.P99Micros)} |");
        }
    }

    private static string Each(IReadOnlyList<KvResultRow> rows, Func<KvResultRow, double> value, string format) =>
        rows.Count == 0
            ? "–"
            : string.Join(" / ", rows.Select(r => Ok(r, value) is { } v ? v.ToString(format, CultureInfo.InvariantCulture) : "failed"));

    private static string Ratios(IReadOnlyList<(KvResultRow Baseline, KvResultRow Candidate)> pairs, Func<KvResultRow, double> value) =>
        pairs.Count == 0 ? "–" : string.Join(" / ", pairs.Select(p => Ratio(Ok(p.Candidate, value), Ok(p.Baseline, value))));

    /// <summary>A run's value, or null when the run failed.</summary>
    private static double? Ok(KvResultRow r, Func<KvResultRow, double> value) =>
        r.Failure is null && !double.IsNaN(value(r)) ? value(r) : null;

    /// <summary>The round with the median throughput (the lower middle of an even count); null when none succeeded.</summary>
    private static KvResultRow? Median(IEnumerable<KvResultRow> rows, string label)
    {
        var ok = rows.Where(r => r.Label == label && r.Failure is null && !double.IsNaN(r.OpsPerSecond))
            .OrderBy(r => r.OpsPerSecond).ToList();
        return ok.Count == 0 ? null : ok[(ok.Count - 1) / 2];
    }

    private static bool Ran(IEnumerable<KvResultRow> rows, string label) => rows.Any(r => r.Label == label);

    private static string Side(KvResultRow? r, bool ran) =>
        r is null
            ? (ran ? "failed" : "not run") + " | – | – | – | "
            : string.Create(CultureInfo.InvariantCulture,
                $"{r.OpsPerSecond:N0} | {r.P50Micros / 1000:F2} | {r.P99Micros / 1000:F2} | {Mib(r.RssPeakKiB)}/{Mib(r.RssEndKiB)} | ");

    private static string Mib(double kib) => double.IsNaN(kib) ? "?" : (kib / 1024).ToString("F0", CultureInfo.InvariantCulture);

    private static string Ratio(double? numerator, double? denominator) =>
        numerator is { } n && denominator is { } d && d > 0 && !double.IsNaN(n) && !double.IsNaN(d)
            ? (n / d).ToString("F2", CultureInfo.InvariantCulture) + "×"
            : "–";

    private static string Cpu(KvResultRow? r, Func<KvResultRow, double> value) =>
        r is null || double.IsNaN(value(r)) ? "–" : value(r).ToString("N0", CultureInfo.InvariantCulture);
}
