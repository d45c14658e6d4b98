using System.Globalization;

namespace Cairn.Bench.Kv;

/// <summary>How a run is reported: a few lines for people, one tab-separated line for scripts.</summary>
internal static class KvReport
{
    private static readonly (string Name, double Quantile)[] Percentiles =
        [("p50", 0.50), ("p90", 0.90), ("p99", 0.99), ("p99.9", 0.999)];

    public static void Print(TextWriter output, LoadResult result, ResourceUse resources)
    {
        var latencies = result.Latencies;
        output.WriteLine(
            $"requests {latencies.Count:N0} in {result.Elapsed.TotalSeconds:F2} s: {result.RequestsPerSecond:N0} requests/s, {result.Errors.Total:N0} errors");
        if (latencies.Count > 0)
        {
            var parts = Percentiles.Select(p => $"{p.Name} {Micros(latencies.PercentileNanos(p.Quantile))}");
            output.WriteLine(
                $"latency µs: {string.Join("  ", parts)}  mean {Micros(latencies.MeanNanos)}  min {Micros(latencies.MinNanos)}  max {Micros(latencies.MaxNanos)}");
        }
        var requests = Math.Max(1, latencies.Count + result.Errors.Total);
        var cost = $"CPU per request µs: client {resources.ClientCpu.TotalMicroseconds / requests:N0}";
        if (resources.ServerCpu is { } server)
        {
            cost += $", server {server.TotalMicroseconds / requests:N0}; server RSS MiB: {resources.ServerRssKiB / 1024.0:N1} now, {resources.ServerPeakRssKiB / 1024.0:N1} peak";
        }
        output.WriteLine(cost);
    }

    /// <summary>
    /// <c>name=value</c> fields separated by tabs; latencies in microseconds. The texts of errors
    /// are only in the printed report.
    /// </summary>
    public static string ResultLine(KvBenchOptions options, LoadResult result, ResourceUse resources)
    {
        var latencies = result.Latencies;
        var requests = Math.Max(1, latencies.Count + result.Errors.Total);
        var fields = new List<(string, string)>
        {
            ("label", options.Label ?? ""),
            ("workload", WorkloadName(options)),
            ("clients", Int(options.Clients)),
            ("connections", Int(options.EffectiveConnections)),
            ("client", options.Client),
            ("requests", Int(latencies.Count)),
            ("errors", Int(result.Errors.Total)),
            ("seconds", result.Elapsed.TotalSeconds.ToString("F3", CultureInfo.InvariantCulture)),
            ("ops_per_s", result.RequestsPerSecond.ToString("F0", CultureInfo.InvariantCulture)),
        };
        foreach (var (name, quantile) in Percentiles)
        {
            fields.Add((name + "_us", Micros(latencies.PercentileNanos(quantile), grouped: false)));
        }
        fields.Add(("mean_us", Micros(latencies.MeanNanos, grouped: false)));
        fields.Add(("max_us", Micros(latencies.MaxNanos, grouped: false)));
        fields.Add(("client_cpu_us_per_op", Int((long)(resources.ClientCpu.TotalMicroseconds / requests))));
        if (resources.ServerCpu is { } server)
        {
            fields.Add(("server_cpu_us_per_op", Int((long)(server.TotalMicroseconds / requests))));
            fields.Add(("rss_end_kib", Int(resources.ServerRssKiB ?? 0)));
            fields.Add(("rss_peak_kib", Int(resources.ServerPeakRssKiB ?? 0)));
        }
        return string.Join('\t', fields.Select(f => $"{f.Item1}={f.Item2}"));
    }

    /// <summary>The workload as the side-by-side script names its rows: put, txn-put, range-l, range-s.</summary>
    public static string WorkloadName(KvBenchOptions options) =>
        options.Operation == "range" ? $"range-{options.Consistency}" : options.Operation;

    private static string Int(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Micros(double nanos, bool grouped = true) =>
        double.IsNaN(nanos) ? "-" : (nanos / 1000).ToString(grouped ? "N0" : "F0", CultureInfo.InvariantCulture);
}
