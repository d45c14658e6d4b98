namespace Cairn.Bench.Grpc;

/// <summary>Runs the benchmark server alone, so the load generator can run in another process.</summary>
public sealed class GrpcServeWorkload : IWorkload
{
    public string Name => "grpc-serve";

    public string Description => "serve grpc.health.v1.Health/Check on [URL] (default http://127.0.0.1:23790) until stdin closes";

    public async Task<int> RunAsync(string[] args)
    {
        var url = args.Length > 0 ? args[0] : "http://127.0.0.1:23790";
        await using var server = BenchServices.Create(url);
        await server.StartAsync();
        Console.WriteLine($"serving on {server.Listeners[0].ClientUrl}; close stdin to stop");
        await Console.In.ReadToEndAsync();
        return 0;
    }
}
