using System.Net;
using Cairn.Server.Grpc.Client;
using Cairn.Server.Hosting;
using Cairn.Server.Tests.Grpc.Support;
using Google.Protobuf.WellKnownTypes;
using Microsoft.AspNetCore.Http;

namespace Cairn.Server.Tests.Hosting;

public sealed class WireServerListenerTests
{
    [Fact]
    public async Task Every_listen_url_serves_grpc_and_http_including_a_unix_socket()
    {
        // etcd's form: unix://host:port names the file "host:port" in the working directory.
        var socket = $"cairn-test-{Guid.NewGuid():N}:1";
        await File.WriteAllTextAsync(socket, "stale"); // etcd removes a stale socket file first
        await using var server = await TestWireServer.StartAsync(
            s => s.AddEcho(),
            routes => routes.MapGet("/health", c => c.Response.WriteAsync("{\"health\":\"true\"}")),
            new WireServerOptions { ListenUrls = ["http://127.0.0.1:0", "http://[::1]:0", "unix://" + socket] });

        Assert.Equal(3, server.Server.Listeners.Count);
        foreach (var listener in server.Server.Listeners.Take(2))
        {
            using var channel = new GrpcChannel(listener.ClientUrl);
            Assert.Equal("tcp", (await channel.UnaryAsync(TestMethods.Unary, new StringValue { Value = "tcp" })).Value);
            var health = await ExternalProcess.CurlAsync(listener.ClientUrl + "/health");
            Assert.Equal("{\"health\":\"true\"}", health.Stdout);
        }
        using (var unix = new GrpcChannel("unix://" + socket))
        {
            Assert.Equal("unix", (await unix.UnaryAsync(TestMethods.Unary, new StringValue { Value = "unix" })).Value);
        }
        var overUnix = await ExternalProcess.CurlAsync("--unix-socket", socket, "http://localhost/health");
        Assert.Equal("{\"health\":\"true\"}", overUnix.Stdout);

        await server.Server.StopAsync();
        Assert.False(File.Exists(socket));
    }

    [Fact]
    public async Task Same_address_twice_is_bound_once()
    {
        var port = FreePort();
        await using var server = await TestWireServer.StartAsync(
            s => s.AddEcho(),
            options: new WireServerOptions { ListenUrls = [$"http://127.0.0.1:{port}", $"http://127.0.0.1:{port}"] });

        Assert.Single(server.Server.Listeners);
    }

    [Fact]
    public async Task Address_in_use_fails_start()
    {
        await using var first = await TestWireServer.StartAsync(s => s.AddEcho());
        var second = new WireServer(
            new WireServerOptions { ListenUrls = [first.Url] }, new Cairn.Server.Grpc.Server.GrpcServiceRegistry(), new HttpRouteTable());

        await Assert.ThrowsAnyAsync<IOException>(() => second.StartAsync());
    }

    [Fact]
    public async Task Tls_urls_are_refused_until_tls_exists()
    {
        var server = new WireServer(
            new WireServerOptions { ListenUrls = ["https://127.0.0.1:0"] }, new Cairn.Server.Grpc.Server.GrpcServiceRegistry(), new HttpRouteTable());

        var error = await Assert.ThrowsAsync<NotSupportedException>(() => server.StartAsync());

        Assert.Contains("https://127.0.0.1:0", error.Message);
    }

    [Theory]
    [InlineData("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "Http2")]
    [InlineData("PRI * HTTP/2.0\r\n", "NeedMore")]
    [InlineData("GET / HTTP/1.1\r\n", "Http1")]
    [InlineData("PRI * HTTP/1.1", "Http1")]
    [InlineData("", "NeedMore")]
    public void First_bytes_decide_the_protocol(string head, string verdict)
    {
        var buffer = new System.Buffers.ReadOnlySequence<byte>(System.Text.Encoding.ASCII.GetBytes(head));

        Assert.Equal(verdict, Http2PrefaceRouter.Classify(buffer).ToString());
    }

    private static int FreePort()
    {
        using var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
