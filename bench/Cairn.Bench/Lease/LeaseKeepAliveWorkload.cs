using System.Diagnostics;
using System.Globalization;
using Cairn.Protocol.Etcdserverpb;
using Cairn.Server.Api;
using Cairn.Server.Grpc.Client;

namespace Cairn.Bench.Lease;

/// <summary>
/// Lease keep-alive throughput against a running server (cairn or etcd): many leases are granted,
/// then keep-alive streams renew them round-robin, each stream with a window of requests in
/// flight; keep-alives per second and request-to-answer latency percentiles per number of streams.
/// bench/lease.sh runs it against both servers.
/// </summary>
public sealed class LeaseKeepAliveWorkload : IWorkload
{
    public string Name => "lease-keepalive";

    public string Description =>
        "keep-alives/s, p50, p99 --target URL [--leases 10000] [--streams 1,16,64,256] [--window 1] [--connections 4] [--seconds 5] [--warmup 1]";

    public async Task<int> RunAsync(string[] args)
    {
        var options = Options.Parse(args);
        using var channel = new GrpcChannel(options.Target, new GrpcChannelOptions { Connections = options.Connections });
        var leases = await GrantAsync(channel, options.Leases);
        Console.WriteLine($"target {options.Target}, {leases.Length} leases, window {options.Window}, {options.Connections} connections, {options.Seconds} s per row");
        Console.WriteLine($"{"streams",8} {"keepalives/s",14} {"p50 µs",10} {"p99 µs",10} {"keepalives",12}");
        foreach (int streams in options.Streams)
        {
            await RunAsync(channel, leases, streams, options.Window, TimeSpan.FromSeconds(options.Warmup));
            var (count, elapsed, latencies) = await RunAsync(channel, leases, streams, options.Window, TimeSpan.FromSeconds(options.Seconds));
            Array.Sort(latencies);
            Console.WriteLine(
                $"{streams,8} {count / elapsed.TotalSeconds,14:N0} {Percentile(latencies, 0.50),10:N0} {Percentile(latencies, 0.99),10:N0} {count,12:N0}");
        }
        return 0;
    }

    /// <summary>Grants the leases (600 s, so none expires during the run), 64 grants in flight.</summary>
    private static async Task<long[]> GrantAsync(GrpcChannel channel, int count)
    {
        var ids = new long[count];
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (i, _) =>
        {
            var response = await channel.UnaryAsync(EtcdMethods.Lease.LeaseGrant, new LeaseGrantRequest { TTL = 600 }).ConfigureAwait(false);
            ids[i] = response.ID;
        });
        return ids;
    }

    private static async Task<(long Count, TimeSpan Elapsed, double[] LatenciesMicros)> RunAsync(
        GrpcChannel channel, long[] leases, int streams, int window, TimeSpan duration)
    {
        var stopAt = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var started = Stopwatch.GetTimestamp();
        var workers = Enumerable.Range(0, streams).Select(s => Task.Run(() => StreamAsync(channel, leases, s, streams, window, stopAt))).ToArray();
        var results = await Task.WhenAll(workers);
        var elapsed = Stopwatch.GetElapsedTime(started);
        var latencies = results.SelectMany(r => r).Select(t => t * 1_000_000.0 / Stopwatch.Frequency).ToArray();
        return (latencies.Length, elapsed, latencies);
    }

    /// <summary>One keep-alive stream renewing leases s, s + streams, s + 2 * streams... with up to <paramref name="window"/> unanswered.</summary>
    private static async Task<List<long>> StreamAsync(GrpcChannel channel, long[] leases, int stream, int streams, int window, long stopAt)
    {
        var samples = new List<long>(1 << 14);
        using var call = channel.DuplexStreaming(EtcdMethods.Lease.LeaseKeepAlive);
        var sentAt = new Queue<long>();
        using var slots = new SemaphoreSlim(window);
        var reader = Task.Run(async () =>
        {
            while (await call.ResponseStream.MoveNextAsync().ConfigureAwait(false))
            {
                if (call.ResponseStream.Current.TTL <= 0)
                {
                    throw new InvalidOperationException($"lease {call.ResponseStream.Current.ID:x} was not renewed (TTL {call.ResponseStream.Current.TTL})");
                }
                long sent;
                lock (sentAt)
                {
                    sent = sentAt.Dequeue();
                }
                samples.Add(Stopwatch.GetTimestamp() - sent);
                slots.Release();
            }
        });
        long next = stream;
        while (Stopwatch.GetTimestamp() < stopAt)
        {
            await slots.WaitAsync().ConfigureAwait(false);
            var request = new LeaseKeepAliveRequest { ID = leases[next % leases.Length] };
            next += streams;
            lock (sentAt)
            {
                sentAt.Enqueue(Stopwatch.GetTimestamp());
            }
            await call.RequestStream.WriteAsync(request).ConfigureAwait(false);
        }
        await call.RequestStream.CompleteAsync().ConfigureAwait(false);
        await reader.ConfigureAwait(false);
        return samples;
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];

    private sealed record Options(string Target, int Leases, int[] Streams, int Window, int Connections, double Seconds, double Warmup)
    {
        public static Options Parse(string[] args)
        {
            var options = new Options("", 10_000, [1, 16, 64, 256], 1, 4, 5, 1);
            for (var i = 0; i + 1 < args.Length; i += 2)
            {
                var value = args[i + 1];
                options = args[i] switch
                {
                    "--target" => options with { Target = value },
                    "--leases" => options with { Leases = int.Parse(value, CultureInfo.InvariantCulture) },
                    "--streams" => options with { Streams = [.. value.Split(',').Select(v => int.Parse(v, CultureInfo.InvariantCulture))] },
                    "--window" => options with { Window = int.Parse(value, CultureInfo.InvariantCulture) },
                    "--connections" => options with { Connections = int.Parse(value, CultureInfo.InvariantCulture) },
                    "--seconds" => options with { Seconds = double.Parse(value, CultureInfo.InvariantCulture) },
                    "--warmup" => options with { Warmup = double.Parse(value, CultureInfo.InvariantCulture) },
                    _ => throw new ArgumentException($"unknown option {args[i]}"),
                };
            }
            if (options.Target.Length == 0)
            {
                throw new ArgumentException("--target URL is required (bench/lease.sh starts cairn and etcd)");
            }
            return options;
        }
    }
}
