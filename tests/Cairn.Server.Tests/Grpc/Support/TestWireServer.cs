using Cairn.Server.Grpc.Client;
using Cairn.Server.Grpc.Server;
using Cairn.Server.Hosting;

namespace Cairn.Server.Tests.Grpc.Support;

/// <summary>A <see cref="WireServer"/> on a free loopback port, for one test or one test class.</summary>
internal sealed class TestWireServer : IAsyncDisposable
{
    private TestWireServer(WireServer server)
    {
        Server = server;
    }

    public WireServer Server { get; }

    /// <summary>http://127.0.0.1:PORT of the first listener.</summary>
    public string Url => Server.Listeners[0].ClientUrl;

    public int Port => ((System.Net.IPEndPoint)Server.Listeners[0].EndPoint).Port;

    public static async Task<TestWireServer> StartAsync(
        Action<GrpcServiceRegistry> services,
        Action<HttpRouteTable>? routes = null,
        WireServerOptions? options = null)
    {
        var registry = new GrpcServiceRegistry();
        services(registry);
        var table = new HttpRouteTable();
        routes?.Invoke(table);
        options ??= new WireServerOptions();
        if (options.ListenUrls.SequenceEqual(new WireServerOptions().ListenUrls))
        {
            options = options with { ListenUrls = ["http://127.0.0.1:0"] };
        }
        var server = new WireServer(options, registry, table);
        await server.StartAsync();
        return new TestWireServer(server);
    }

    public GrpcChannel CreateChannel(int connections = 1) => new(Url, new GrpcChannelOptions { Connections = connections });

    public ValueTask DisposeAsync() => Server.DisposeAsync();
}
