using System.Diagnostics;
using Cairn.Protocol.Etcdserverpb;
using Cairn.Server.Grpc;
using Cairn.Server.Grpc.Client;
using Google.Protobuf;

namespace Cairn.Bench.Kv;

/// <summary>
/// etcd's KV load against any etcd v3 server (etcd or cairn): put, range (over keys it first
/// puts) and txn-put, from many closed-loop clients over several HTTP/2 connections. Prints
/// requests/s, latency percentiles and errors; --result appends the same as one line for scripts.
/// </summary>
public sealed class KvWorkload : IWorkload
{
    public string Name => "kv";

    public string Description => "etcd KV load (put, range, txn-put) against --target; see `kv --help`";

    public async Task<int> RunAsync(string[] args)
    {
        KvBenchOptions options;
        try
        {
            options = KvBenchOptions.Parse(args);
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            Console.Error.WriteLine(e.Message);
            Console.Error.WriteLine("usage: Cairn.Bench " + KvBenchOptions.Usage);
            return 2;
        }

        using (var probe = new GrpcChannel(options.Target, new GrpcChannelOptions { Connections = 1 }))
        {
            if (!await WaitReadyAsync(probe, TimeSpan.FromSeconds(options.WaitReady)))
            {
                Console.Error.WriteLine($"{options.Target} did not answer a linearizable range within {options.WaitReady} s");
                return 1;
            }
        }
        using var client = await IKvClient.ConnectAsync(options);

        var keys = new KeySpace(options.KeySize, options.EffectiveKeySpace, options.SequentialKeys);
        var value = RandomValue(options.ValueSize, options.Seed);
        Console.WriteLine(
            $"kv {options.Operation}{(options.Operation == "range" ? $" ({(options.Consistency == "s" ? "serializable" : "linearizable")})" : "")}: " +
            $"{options.Target}, {options.Clients} clients over {options.EffectiveConnections} connections ({options.Client} client), " +
            $"key {options.KeySize} B, value {options.ValueSize} B, {(keys.Sequential ? "sequential" : "random")} keys over {keys.Size:N0}, seed {options.Seed}");

        if (options.Operation == "range")
        {
            // Put every key once, so that each range finds its key.
            var loaders = Senders(options.Clients, () => KvRequests.Put(client, keys, value));
            var load = await ClosedLoop.RunAsync(loaders, new KeySpace(options.KeySize, keys.Size, sequential: true), keys.Size, null, options.Seed);
            Console.WriteLine($"preload: put {load.Latencies.Count:N0} keys in {load.Elapsed.TotalSeconds:F2} s ({load.RequestsPerSecond:N0}/s), {load.Errors.Total:N0} errors");
            if (load.Errors.Total > 0)
            {
                PrintErrors(load.Errors);
                return 1;
            }
        }

        var senders = Senders(options.Clients, () => options.Operation switch
        {
            "put" => KvRequests.Put(client, keys, value),
            "txn-put" => KvRequests.TxnPut(client, keys, value),
            _ => KvRequests.Range(client, keys, options.Consistency == "s"),
        });
        if (options.Warmup > 0)
        {
            await ClosedLoop.RunAsync(senders, keys, long.MaxValue, TimeSpan.FromSeconds(options.Warmup), options.Seed ^ 0x5eed,
                options.Progress ? Console.Out : null, "warmup");
        }
        var duration = options.Seconds is { } s ? TimeSpan.FromSeconds(s) : (TimeSpan?)null;
        if (options.MarkMeasuringFile is not null)
        {
            await File.WriteAllTextAsync(options.MarkMeasuringFile, "");
        }
        var meter = ResourceUse.Start(options.ServerPid);
        var result = await ClosedLoop.RunAsync(senders, keys, options.EffectiveTotal, duration, options.Seed,
            options.Progress ? Console.Out : null, "measure");
        var resources = meter.Stop();
        KvReport.Print(Console.Out, result, resources);
        PrintErrors(result.Errors);
        if (options.ResultFile is not null)
        {
            await File.AppendAllTextAsync(options.ResultFile, KvReport.ResultLine(options, result, resources) + "\n");
        }
        return 0;
    }

    private static List<KvRequestSender> Senders(int clients, Func<KvRequestSender> create) =>
        Enumerable.Range(0, clients).Select(_ => create()).ToList();

    private static ByteString RandomValue(int size, int seed)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        return ByteString.CopyFrom(bytes);
    }

    private static void PrintErrors(ErrorTally errors)
    {
        foreach (var (text, count) in errors.ByText())
        {
            Console.WriteLine($"  error ×{count:N0}: {text}");
        }
    }

    /// <summary>
    /// A linearizable range succeeds only once the member has a leader and has caught up, which
    /// is when a freshly started server is really ready.
    /// </summary>
    private static async Task<bool> WaitReadyAsync(GrpcChannel channel, TimeSpan limit)
    {
        var probe = new RangeRequest { Key = ByteString.CopyFromUtf8("kv-bench-ready") };
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            try
            {
                await channel.UnaryAsync(KvMethods.Range, probe, new GrpcCallOptions { Timeout = TimeSpan.FromSeconds(2) });
                return true;
            }
            catch (GrpcException) when (Stopwatch.GetElapsedTime(started) < limit)
            {
                await Task.Delay(100);
            }
            catch (GrpcException e)
            {
                Console.Error.WriteLine($"last error: {e.Code}: {e.Detail}");
                return false;
            }
        }
    }
}
