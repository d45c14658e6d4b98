using Cairn.Server.Hosting;
using Cairn.Server.Tests.Grpc.Support;

namespace Cairn.Server.Tests.Hosting;

/// <summary>
/// The header details etcd's client port shows to curl: CORS headers on every answer (etcd's default --cors '*'),
/// and Go's Content-Length for a small body written at once.
/// </summary>
public sealed class HttpAnswersLikeGoTests : IAsyncLifetime
{
    private TestWireServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await TestWireServer.StartAsync(
            s => s.AddUnary(TestMethods.Unary, (r, _) => ValueTask.FromResult(r)),
            routes => routes
                .AllowEveryOrigin()
                .Map("/small", context => HttpRouteTable.WriteBodyAsync(context.Response, "{\"health\":\"true\"}", context.RequestAborted))
                .Map("/large", context => HttpRouteTable.WriteBodyAsync(context.Response, new string('x', 2049), context.RequestAborted)));
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task A_small_body_goes_out_with_its_content_length_as_go_sends_it()
    {
        var result = await ExternalProcess.CurlAsync("--http1.1", "-i", _server.Url + "/small");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Content-Length: 17\r\n", result.Stdout);
        Assert.DoesNotContain("Transfer-Encoding", result.Stdout);
    }

    [Fact]
    public async Task A_body_beyond_gos_buffer_is_chunked_as_go_sends_it()
    {
        var result = await ExternalProcess.CurlAsync("--http1.1", "-i", _server.Url + "/large");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Transfer-Encoding: chunked\r\n", result.Stdout);
        Assert.DoesNotContain("Content-Length", result.Stdout);
    }

    [Fact]
    public async Task Every_answer_carries_etcds_cors_headers_a_miss_too()
    {
        foreach (var path in new[] { "/small", "/nothing-here" })
        {
            var result = await ExternalProcess.CurlAsync("--http1.1", "-i", _server.Url + path);

            Assert.Contains("Access-Control-Allow-Methods: POST, GET, OPTIONS, PUT, DELETE\r\n", result.Stdout);
            Assert.Contains("Access-Control-Allow-Origin: *\r\n", result.Stdout);
            Assert.Contains("Access-Control-Allow-Headers: accept, content-type, authorization\r\n", result.Stdout);
        }
    }

    [Fact]
    public async Task A_preflight_gets_an_empty_200_on_any_path()
    {
        var result = await ExternalProcess.CurlAsync("--http1.1", "-i", "-X", "OPTIONS", _server.Url + "/nothing-here");

        Assert.StartsWith("HTTP/1.1 200", result.Stdout);
        Assert.Contains("Access-Control-Allow-Origin: *\r\n", result.Stdout);
        Assert.EndsWith("\r\n\r\n", result.Stdout);
    }
}
