using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using Cairn.Protocol.Etcdserverpb;
using Cairn.Server.Api;
using Cairn.Server.Grpc;
using Cairn.Server.Grpc.Client;
using Google.Protobuf;

namespace Cairn.Bench.Watch;

/// <summary>
/// Watch fan-out against a running server (cairn or etcd): many watchers on a few keys, spread
/// over several streams, and puts to those keys at fixed rates. Each put's value starts with the
/// time it was sent, so every event received gives a put-to-event latency. Per rate: puts/s
/// achieved, events delivered per second, p50/p99/max latency, and events still missing after a
/// short drain (a server that falls behind shows here first).
/// </summary>
public sealed class WatchFanoutWorkload : IWorkload
{
    public string Name => "watch-fanout";

    public string Description =>
        "watch fan-out: events/s and put-to-event p99 --target URL [--watchers 10000] [--keys 100] [--streams 100] [--connections 1] [--rates 100,500,1000] [--seconds 10] [--warmup 2] [--first-warmup 20] [--value-size 256] [--server-pid PID]";

    public async Task<int> RunAsync(string[] args)
    {
        var o = FanoutOptions.Parse(args);
        using var putChannel = new GrpcChannel(o.Target, new GrpcChannelOptions { Connections = 1 });
        var keys = Enumerable.Range(0, o.Keys).Select(i => ByteString.CopyFromUtf8($"wf/{i:00000}")).ToArray();
        var recorder = new LatencyRecorder();
        var connections = new List<Http2WatchConnection>();
        for (int c = 0; c < o.Connections; c++)
        {
            connections.Add(await Http2WatchConnection.ConnectAsync(new Uri(o.Target), recorder.NewTally()));
        }

        var created = Stopwatch.StartNew();
        int perStream = (o.Watchers + o.Streams - 1) / o.Streams;
        int streamCount = 0;
        for (int s = 0, w = 0; s < o.Streams && w < o.Watchers; s++, streamCount++)
        {
            int count = Math.Min(perStream, o.Watchers - w);
            connections[s % connections.Count].OpenStream(Enumerable.Range(w, count).Select(i => keys[i % keys.Length].ToByteArray()));
            w += count;
        }
        foreach (var connection in connections)
        {
            await connection.WaitCreatedAsync().WaitAsync(TimeSpan.FromSeconds(60));
        }
        Console.WriteLine($"target {o.Target}: {o.Watchers} watchers on {o.Keys} keys over {streamCount} streams ({o.Connections} connections), created in {created.Elapsed.TotalSeconds:F1} s; {o.ValueSize}-byte values, {o.Seconds} s per rate");
        Console.WriteLine($"{"rate",8} {"puts/s",10} {"events/s",12} {"p50 ms",9} {"p99 ms",9} {"max ms",9} {"missing",9} {"srv CPU µs/event",17}");

        long watchersPerKey = o.Watchers / o.Keys;
        // A fresh server is still compiling its hot paths (cairn's JIT took a tenth of its CPU
        // for the first 20 s under this load): a long first warm-up keeps that out of the rows.
        await PutAtRateAsync(putChannel, keys, o.ValueSize, o.Rates[0], TimeSpan.FromSeconds(o.FirstWarmup), recorder, watchersPerKey);
        foreach (var rate in o.Rates)
        {
            await PutAtRateAsync(putChannel, keys, o.ValueSize, rate, TimeSpan.FromSeconds(o.Warmup), recorder, watchersPerKey);
            var cpuBefore = ServerCpu(o.ServerPid);
            var result = await PutAtRateAsync(putChannel, keys, o.ValueSize, rate, TimeSpan.FromSeconds(o.Seconds), recorder, watchersPerKey);
            var cpu = ServerCpu(o.ServerPid) - cpuBefore;
            string perEvent = o.ServerPid == 0 || result.Events == 0 ? "-" : (cpu.TotalMicroseconds / result.Events).ToString("F2", CultureInfo.InvariantCulture);
            Console.WriteLine(
                $"{rate,8} {result.PutsPerSecond,10:N0} {result.EventsPerSecond,12:N0} {result.P50,9:F2} {result.P99,9:F2} {result.Max,9:F2} {result.Puts * watchersPerKey - result.Events,9:N0} {perEvent,17}");
        }
        foreach (var connection in connections)
        {
            if (connection.Failure is { } failure)
            {
                Console.Error.WriteLine($"a watch connection stopped early: {failure}");
            }
            connection.Dispose();
        }
        return 0;
    }

    /// <summary>CPU time (user + system) the server process has used, from /proc; zero without a PID.</summary>
    private static TimeSpan ServerCpu(int pid)
    {
        if (pid == 0)
        {
            return TimeSpan.Zero;
        }
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // Fields 14 and 15 of stat (utime, stime), counted here from field 3, in clock ticks (100 per second).
        long ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromMilliseconds(ticks * 10);
    }

    /// <summary>One put; a refused one (the server too far behind: "too many requests") is counted, not fatal.</summary>
    private static async Task PutAsync(GrpcChannel channel, PutRequest request, LatencyRecorder recorder)
    {
        try
        {
            await channel.UnaryAsync(EtcdMethods.Kv.Put, request).ConfigureAwait(false);
        }
        catch (Cairn.Server.Grpc.GrpcException)
        {
            recorder.PutFailed();
        }
    }

    private sealed record RateResult(long Puts, long Events, double PutsPerSecond, double EventsPerSecond, double P50, double P99, double Max);

    /// <summary>
    /// Puts at <paramref name="rate"/> per second for <paramref name="duration"/> (open loop: a
    /// slow server does not slow the sender down), then waits up to 2 s for the remaining events.
    /// </summary>
    private static async Task<RateResult> PutAtRateAsync(GrpcChannel channel, ByteString[] keys, int valueSize, int rate, TimeSpan duration,
        LatencyRecorder recorder, long watchersPerKey)
    {
        long start = Stopwatch.GetTimestamp();
        recorder.Begin(start);
        long end = start + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var inFlight = new List<Task>();
        long puts = 0;
        var value = new byte[Math.Max(8, valueSize)];
        while (Stopwatch.GetTimestamp() < end)
        {
            long due = (long)((Stopwatch.GetTimestamp() - start) * (double)rate / Stopwatch.Frequency) + 1;
            while (puts < due)
            {
                BinaryPrimitives.WriteInt64LittleEndian(value, Stopwatch.GetTimestamp());
                var request = new PutRequest { Key = keys[puts % keys.Length], Value = ByteString.CopyFrom(value) };
                inFlight.Add(PutAsync(channel, request, recorder));
                puts++;
            }
            if (inFlight.Count > 1024)
            {
                inFlight.RemoveAll(t => t.IsCompletedSuccessfully);
            }
            await Task.Delay(1);
        }
        long sentEnd = Stopwatch.GetTimestamp();
        recorder.StopSending(sentEnd);
        await Task.WhenAll(inFlight);
        long drainUntil = Stopwatch.GetTimestamp() + 2 * Stopwatch.Frequency;
        while (Stopwatch.GetTimestamp() < drainUntil && recorder.Events < (puts - recorder.FailedPuts) * watchersPerKey)
        {
            await Task.Delay(10);
        }
        var (events, inWindow, p50, p99, max, failed) = recorder.End();
        double seconds = (sentEnd - start) / (double)Stopwatch.Frequency;
        puts -= failed;
        return new RateResult(puts, events, puts / seconds, inWindow / seconds, p50, p99, max);
    }

    private sealed record FanoutOptions(string Target, int Watchers, int Keys, int Streams, int Connections, int[] Rates, int Seconds, int Warmup, int FirstWarmup, int ValueSize, int ServerPid)
    {
        public static FanoutOptions Parse(string[] args)
        {
            string? target = null;
            int watchers = 10000, keys = 100, streams = 100, connections = 1, seconds = 10, warmup = 2, firstWarmup = 20, valueSize = 256, serverPid = 0;
            int[] rates = [100, 500, 1000];
            for (int i = 0; i < args.Length; i++)
            {
                string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
                int NextInt() => int.Parse(Next(), CultureInfo.InvariantCulture);
                switch (args[i])
                {
                    case "--target": target = Next(); break;
                    case "--watchers": watchers = NextInt(); break;
                    case "--keys": keys = NextInt(); break;
                    case "--streams": streams = NextInt(); break;
                    case "--connections": connections = NextInt(); break;
                    case "--rates": rates = [.. Next().Split(',').Select(r => int.Parse(r, CultureInfo.InvariantCulture))]; break;
                    case "--seconds": seconds = NextInt(); break;
                    case "--warmup": warmup = NextInt(); break;
                    case "--first-warmup": firstWarmup = NextInt(); break;
                    case "--value-size": valueSize = NextInt(); break;
                    case "--server-pid": serverPid = NextInt(); break;
                    default: throw new ArgumentException($"unknown option {args[i]}");
                }
            }
            return new FanoutOptions(target ?? throw new ArgumentException("--target URL is required"), watchers, keys, streams, connections, rates, seconds, warmup, firstWarmup, valueSize, serverPid);
        }
    }
}
