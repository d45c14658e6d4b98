using System.Globalization;

namespace Cairn.Bench.Kv;

/// <summary>The command line of the <c>kv</c> workload; names follow etcd's benchmark tool where it has one.</summary>
internal sealed record KvBenchOptions
{
    public const string Usage =
        "kv <put|range|txn-put> [--target http://127.0.0.1:2379] [--clients 1] [--connections min(clients,8)]\n" +
        "       [--total N] [--seconds S] [--warmup 1] [--key-size 8] [--value-size 256] [--key-space N]\n" +
        "       [--sequential-keys true|false] [--consistency l|s] [--seed N] [--request-timeout S]\n" +
        "       [--wait-ready 30] [--server-pid PID] [--label NAME] [--result FILE] [--mark-measuring FILE]\n" +
        "       [--progress true|false] [--client h2|grpc]";

    /// <summary>The hand-framed HTTP/2 client (<see cref="Http2KvClient"/>), the default.</summary>
    public const string Http2Client = "h2";

    /// <summary>The project's gRPC client (<see cref="GrpcKvClient"/>).</summary>
    public const string GrpcClient = "grpc";

    public required string Operation { get; init; }

    public string Target { get; init; } = "http://127.0.0.1:2379";

    public int Clients { get; init; } = 1;

    public int? Connections { get; init; }

    /// <summary>Requests to send; with only --seconds given, as many as fit.</summary>
    public long? Total { get; init; }

    public double? Seconds { get; init; }

    /// <summary>Seconds of the same load before measuring (connections, JIT, server caches).</summary>
    public double Warmup { get; init; } = 1;

    public int KeySize { get; init; } = 8;

    public int ValueSize { get; init; } = 256;

    /// <summary>Distinct keys; put defaults to 100,000, range to the 10,000 keys it first puts.</summary>
    public long? KeySpaceSize { get; init; }

    public bool SequentialKeys { get; init; } = true;

    /// <summary>"l" linearizable (etcd's default) or "s" serializable; range only.</summary>
    public string Consistency { get; init; } = "l";

    public int Seed { get; init; } = Environment.TickCount;

    public double? RequestTimeout { get; init; }

    public double WaitReady { get; init; } = 30;

    /// <summary>The server's process, to report the CPU time and memory the run cost it.</summary>
    public int? ServerPid { get; init; }

    public string? Label { get; init; }

    public string? ResultFile { get; init; }

    /// <summary>Print the requests of each second of warmup and measurement.</summary>
    public bool Progress { get; init; }

    /// <summary>Created when the measured run starts, so that a profiler can skip preload and warmup.</summary>
    public string? MarkMeasuringFile { get; init; }

    /// <summary>Which client sends the requests: h2 (cheap) or grpc (the project's own).</summary>
    public string Client { get; init; } = Http2Client;

    public int EffectiveConnections => Connections ?? Math.Min(Clients, 8);

    public long EffectiveKeySpace => KeySpaceSize ?? (Operation == "range" ? 10_000 : 100_000);

    public long EffectiveTotal => Total ?? (Seconds is null ? 10_000 : long.MaxValue);

    public static KvBenchOptions Parse(string[] args)
    {
        if (args.Length == 0 || args[0] is not ("put" or "range" or "txn-put"))
        {
            throw new ArgumentException("the first argument must be put, range or txn-put");
        }
        var options = new KvBenchOptions { Operation = args[0] };
        for (var i = 1; i < args.Length; i += 2)
        {
            if (i + 1 >= args.Length)
            {
                throw new ArgumentException($"option {args[i]} needs a value");
            }
            var value = args[i + 1];
            options = args[i] switch
            {
                "--target" => options with { Target = value },
                "--clients" => options with { Clients = Positive(args[i], Int(value)) },
                "--connections" => options with { Connections = Positive(args[i], Int(value)) },
                "--total" => options with { Total = Positive(args[i], Long(value)) },
                "--seconds" => options with { Seconds = Double(value) },
                "--warmup" => options with { Warmup = Double(value) },
                "--key-size" => options with { KeySize = Positive(args[i], Int(value)) },
                "--value-size" => options with { ValueSize = Int(value) },
                "--key-space" => options with { KeySpaceSize = Positive(args[i], Long(value)) },
                "--sequential-keys" => options with { SequentialKeys = bool.Parse(value) },
                "--consistency" => options with { Consistency = value is "l" or "s" ? value : throw new ArgumentException("--consistency is l or s") },
                "--seed" => options with { Seed = Int(value) },
                "--request-timeout" => options with { RequestTimeout = Double(value) },
                "--wait-ready" => options with { WaitReady = Double(value) },
                "--server-pid" => options with { ServerPid = Positive(args[i], Int(value)) },
                "--label" => options with { Label = value },
                "--result" => options with { ResultFile = value },
                "--progress" => options with { Progress = bool.Parse(value) },
                "--mark-measuring" => options with { MarkMeasuringFile = value },
                "--client" => options with { Client = value is Http2Client or GrpcClient ? value : throw new ArgumentException("--client is h2 or grpc") },
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
        }
        return options;
    }

    private static int Int(string value) => int.Parse(value, NumberStyles.Integer, CultureInfo.InvariantCulture);

    private static long Long(string value) => long.Parse(value, NumberStyles.Integer, CultureInfo.InvariantCulture);

    private static double Double(string value) => double.Parse(value, NumberStyles.Float, CultureInfo.InvariantCulture);

    private static T Positive<T>(string name, T value)
        where T : System.Numerics.INumber<T> =>
        value > T.Zero ? value : throw new ArgumentException($"{name} must be positive");
}
