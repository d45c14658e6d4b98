using System.Globalization;

namespace Cairn.Bench.Kv;

/// <summary>
/// One line of a results file: the fields <see cref="KvReport.ResultLine"/> writes, or a failed
/// run the script recorded (<c>failed=reason</c>) when a server did not start or the load stopped.
/// </summary>
internal sealed class KvResultRow
{
    private readonly Dictionary<string, string> _fields;

    private KvResultRow(Dictionary<string, string> fields) => _fields = fields;

    public string Label => Text("label");

    public string Workload => Text("workload");

    public int Clients => (int)Number("clients");

    /// <summary>The load generator's client (h2, grpc); empty in results from before it could be chosen.</summary>
    public string Client => Text("client");

    public string? Failure => _fields.GetValueOrDefault("failed");

    public double OpsPerSecond => Number("ops_per_s");

    public double P50Micros => Number("p50_us");

    public double P99Micros => Number("p99_us");

    public long Errors => (long)Number("errors");

    public double RssPeakKiB => Number("rss_peak_kib");

    public double RssEndKiB => Number("rss_end_kib");

    public double ServerCpuMicrosPerOp => Number("server_cpu_us_per_op");

    public double ClientCpuMicrosPerOp => Number("client_cpu_us_per_op");

    public static KvResultRow Parse(string line)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var field in line.Split('\t', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = field.IndexOf('=');
            if (equals > 0)
            {
                fields[field[..equals]] = field[(equals + 1)..];
            }
        }
        return new KvResultRow(fields);
    }

    private string Text(string name) => _fields.GetValueOrDefault(name, "");

    /// <summary>A numeric field; NaN when missing or not a number (a failed run, a server without /proc).</summary>
    private double Number(string name) =>
        _fields.TryGetValue(name, out var text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? value
            : double.NaN;
}
