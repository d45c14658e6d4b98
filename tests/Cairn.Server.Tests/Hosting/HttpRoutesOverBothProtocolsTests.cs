using Cairn.Server.Hosting;
using Cairn.Server.Tests.Grpc.Support;
using Microsoft.AspNetCore.Http;

namespace Cairn.Server.Tests.Hosting;

/// <summary>HTTP routes answer on the gRPC port over HTTP/1.1 and HTTP/2 alike, driven by real curl.</summary>
public sealed class HttpRoutesOverBothProtocolsTests : IAsyncLifetime
{
    private TestWireServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await TestWireServer.StartAsync(
            s => s.AddUnary(TestMethods.Unary, (r, _) => ValueTask.FromResult(r)),
            routes => routes
                .MapGet("/health", context =>
                {
                    context.Response.ContentType = "application/json";
                    return context.Response.WriteAsync("{\"health\":\"true\"}");
                })
                .Map("/echo-method", context => context.Response.WriteAsync(context.Request.Method + " " + context.Request.Protocol))
                .MapPrefix("/debug/", context => context.Response.WriteAsync("prefix:" + context.Request.Path)));
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Health_answers_over_http1_with_curl()
    {
        var result = await ExternalProcess.CurlAsync("--http1.1", "-i", _server.Url + "/health");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.StartsWith("HTTP/1.1 200", result.Stdout);
        Assert.EndsWith("{\"health\":\"true\"}", result.Stdout);
    }

    [Fact]
    public async Task Health_answers_over_http2_prior_knowledge_with_curl()
    {
        var result = await ExternalProcess.CurlAsync("--http2-prior-knowledge", "-i", _server.Url + "/health");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.StartsWith("HTTP/2 200", result.Stdout);
        Assert.EndsWith("{\"health\":\"true\"}", result.Stdout);
    }

    [Fact]
    public async Task Handler_sees_the_protocol_each_connection_speaks()
    {
        var http1 = await ExternalProcess.CurlAsync("--http1.1", "-X", "PUT", _server.Url + "/echo-method");
        var http2 = await ExternalProcess.CurlAsync("--http2-prior-knowledge", "-X", "DELETE", _server.Url + "/echo-method");

        Assert.Equal("PUT HTTP/1.1", http1.Stdout);
        Assert.Equal("DELETE HTTP/2", http2.Stdout);
    }

    [Fact]
    public async Task Unknown_path_gets_go_net_http_404_text()
    {
        var result = await ExternalProcess.CurlAsync("-i", _server.Url + "/nope");

        Assert.StartsWith("HTTP/1.1 404", result.Stdout);
        Assert.EndsWith("\r\n\r\n404 page not found\n", result.Stdout);
    }

    [Fact]
    public async Task Wrong_method_gets_405_like_etcd()
    {
        var result = await ExternalProcess.CurlAsync("-i", "-X", "POST", _server.Url + "/health");

        Assert.StartsWith("HTTP/1.1 405", result.Stdout);
        Assert.Contains("Allow: GET, HEAD", result.Stdout);
        Assert.EndsWith("Method Not Allowed\n", result.Stdout);
    }

    [Fact]
    public async Task Prefix_route_serves_every_path_below_it()
    {
        var result = await ExternalProcess.CurlAsync(_server.Url + "/debug/pprof/heap");

        Assert.Equal("prefix:/debug/pprof/heap", result.Stdout);
    }

    [Fact]
    public async Task Many_http1_requests_on_one_kept_alive_connection()
    {
        var urls = Enumerable.Repeat(_server.Url + "/health", 20).ToArray();
        var result = await ExternalProcess.CurlAsync(["--http1.1", "-w", "%{num_connects}\n", .. urls]);

        Assert.True(result.ExitCode == 0, result.ToString());
        var connects = result.Stdout.Split('\n').Select(l => l.Replace("{\"health\":\"true\"}", "")).Where(l => l.Length > 0).Select(int.Parse).ToList();
        Assert.Equal(20, connects.Count);
        Assert.Equal(1, connects.Sum());
    }

    [Fact]
    public async Task Http2_authority_with_a_scheme_is_repaired_not_refused()
    {
        // grpc-go sends "http://host:port" as :authority when etcd's client dials one endpoint;
        // curl sends the Host header as :authority. (curl 7.88 cannot reuse a prior-knowledge
        // connection, so reuse is covered by the raw HTTP/2 tests.)
        var result = await ExternalProcess.CurlAsync(
            "--http2-prior-knowledge", "-H", $"Host: {_server.Url}", _server.Url + "/echo-method");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("GET HTTP/2", result.Stdout);
    }
}
