using System.Diagnostics;
using System.Globalization;
using Cairn.Protocol.Healthpb;
using Cairn.Server.Grpc.Client;

namespace Cairn.Bench.Grpc;

/// <summary>
/// The gRPC layer's overhead: unary calls per second and latency percentiles of a handler that
/// does nothing, at several numbers of concurrent callers spread over a few connections.
/// Without --target the server runs in this process (client and server then share the CPUs);
/// with --target it measures any server of Health/Check, etcd included.
/// </summary>
public sealed class GrpcUnaryWorkload : IWorkload
{
    public string Name => "grpc-unary";

    public string Description =>
        "unary Health/Check calls/s, p50, p99 [--target URL] [--clients 1,64,256] [--connections 4] [--seconds 5] [--warmup 1] [--repair on|off]";

    public async Task<int> RunAsync(string[] args)
    {
        var options = Options.Parse(args);
        await using var local = options.Target is null ? BenchServices.Create("http://127.0.0.1:0", options.Repair) : null;
        string target;
        if (local is not null)
        {
            await local.StartAsync();
            target = local.Listeners[0].ClientUrl;
        }
        else
        {
            target = options.Target!;
        }

        Console.WriteLine($"target {target} ({(local is null ? "external server" : $"in-process server, authority repair {(options.Repair ? "on" : "off")}")}), {options.Connections} connections, {options.Seconds} s per row");
        Console.WriteLine($"{"clients",8} {"calls/s",12} {"p50 µs",10} {"p99 µs",10} {"calls",10} {"B/call",8}");
        foreach (var clients in options.Clients)
        {
            using var channel = new GrpcChannel(target, new GrpcChannelOptions { Connections = options.Connections });
            await RunAsync(channel, clients, TimeSpan.FromSeconds(options.Warmup));
            // Bytes allocated by this process per call: client and, in-process, server too.
            var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
            var (calls, elapsed, latencies) = await RunAsync(channel, clients, TimeSpan.FromSeconds(options.Seconds));
            var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore - (latencies.Length * 16L);
            Array.Sort(latencies);
            Console.WriteLine(
                $"{clients,8} {calls / elapsed.TotalSeconds,12:N0} {Percentile(latencies, 0.50),10:N0} {Percentile(latencies, 0.99),10:N0} {calls,10:N0} {allocated / Math.Max(1, calls),8:N0}");
        }
        return 0;
    }

    private static async Task<(long Calls, TimeSpan Elapsed, double[] LatenciesMicros)> RunAsync(GrpcChannel channel, int clients, TimeSpan duration)
    {
        var request = new HealthCheckRequest();
        var stopAt = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var started = Stopwatch.GetTimestamp();
        var workers = Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
        {
            var samples = new List<long>(1 << 14);
            while (true)
            {
                var before = Stopwatch.GetTimestamp();
                if (before >= stopAt)
                {
                    return samples;
                }
                await channel.UnaryAsync(BenchServices.Check, request).ConfigureAwait(false);
                samples.Add(Stopwatch.GetTimestamp() - before);
            }
        })).ToArray();
        var results = await Task.WhenAll(workers);
        var elapsed = Stopwatch.GetElapsedTime(started);
        var latencies = results.SelectMany(r => r).Select(t => t * 1_000_000.0 / Stopwatch.Frequency).ToArray();
        return (latencies.Length, elapsed, latencies);
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];

    private sealed record Options(string? Target, int[] Clients, int Connections, double Seconds, double Warmup, bool Repair)
    {
        public static Options Parse(string[] args)
        {
            var options = new Options(null, [1, 64, 256], 4, 5, 1, true);
            for (var i = 0; i + 1 < args.Length; i += 2)
            {
                var value = args[i + 1];
                options = args[i] switch
                {
                    "--target" => options with { Target = value },
                    "--clients" => options with { Clients = value.Split(',').Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToArray() },
                    "--connections" => options with { Connections = int.Parse(value, CultureInfo.InvariantCulture) },
                    "--seconds" => options with { Seconds = double.Parse(value, CultureInfo.InvariantCulture) },
                    "--warmup" => options with { Warmup = double.Parse(value, CultureInfo.InvariantCulture) },
                    "--repair" => options with { Repair = value != "off" },
                    _ => throw new ArgumentException($"unknown option {args[i]}"),
                };
            }
            return options;
        }
    }
}
