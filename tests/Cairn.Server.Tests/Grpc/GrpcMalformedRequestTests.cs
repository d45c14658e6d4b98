using System.IO.Compression;
using System.Net;
using Cairn.Server.Grpc.Server;
using Cairn.Server.Hosting;
using Cairn.Server.Tests.Grpc.Support;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace Cairn.Server.Tests.Grpc;

/// <summary>
/// Requests that break the gRPC framing rules end that call with grpc-go's status and text,
/// and the server goes on serving.
/// </summary>
public sealed class GrpcMalformedRequestTests : IAsyncLifetime
{
    private const int MaxMessage = 64 * 1024;
    private TestWireServer _server = null!;

    public async Task InitializeAsync() => _server = await TestWireServer.StartAsync(
        s => s.AddEcho(),
        options: new WireServerOptions { Grpc = new GrpcServerOptions { MaxReceiveMessageSize = MaxMessage } });

    public async Task DisposeAsync()
    {
        // Every case leaves the server able to serve, and no call behind.
        using var channel = _server.CreateChannel();
        Assert.Equal("still here", (await channel.UnaryAsync(TestMethods.Unary, new StringValue { Value = "still here" })).Value);
        await Eventually.HoldsAsync(() => _server.Server.Grpc.ActiveCalls == 0, "no call left running");
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Bad_protobuf_in_a_unary_request_is_internal()
    {
        var outcome = await SendAsync(TestMethods.Unary.FullName, RawHttp2Connection.GrpcMessage([0x0A, 0xFF, 0xFF, 0xFF]));

        Assert.Equal("13", outcome.GrpcStatus);
        Assert.StartsWith("grpc: error unmarshalling request: ", outcome.GrpcMessage);
    }

    [Fact]
    public async Task Truncated_message_is_unexpected_eof()
    {
        var frame = RawHttp2Connection.GrpcMessage(new byte[100]).AsSpan(0, 20).ToArray();

        var outcome = await SendAsync(TestMethods.Unary.FullName, frame);

        Assert.Equal("2", outcome.GrpcStatus);
        Assert.Equal("unexpected EOF", outcome.GrpcMessage);
    }

    [Fact]
    public async Task Truncated_prefix_is_unexpected_eof()
    {
        var outcome = await SendAsync(TestMethods.Unary.FullName, [0, 0, 0]);

        Assert.Equal("2", outcome.GrpcStatus);
        Assert.Equal("unexpected EOF", outcome.GrpcMessage);
    }

    [Fact]
    public async Task Unary_request_without_a_message_is_eof()
    {
        var outcome = await SendAsync(TestMethods.Unary.FullName, []);

        Assert.Equal("2", outcome.GrpcStatus);
        Assert.Equal("EOF", outcome.GrpcMessage);
    }

    [Fact]
    public async Task Truncated_message_in_a_client_stream_is_internal()
    {
        var body = RawHttp2Connection.GrpcMessage(Serialize("a")).Concat(RawHttp2Connection.GrpcMessage(new byte[50]).Take(10)).ToArray();

        var outcome = await SendAsync(TestMethods.ClientStream.FullName, body);

        Assert.Equal("13", outcome.GrpcStatus);
        Assert.Equal("unexpected EOF", outcome.GrpcMessage);
    }

    [Fact]
    public async Task Bad_protobuf_in_a_stream_is_internal_with_grpc_go_text()
    {
        var body = RawHttp2Connection.GrpcMessage(Serialize("a")).Concat(RawHttp2Connection.GrpcMessage([0x0A, 0x05, 0x01])).ToArray();

        var outcome = await SendAsync(TestMethods.ClientStream.FullName, body);

        Assert.Equal("13", outcome.GrpcStatus);
        Assert.StartsWith("grpc: failed to unmarshal the received message ", outcome.GrpcMessage);
    }

    [Fact]
    public async Task Compressed_flag_without_an_encoding_is_internal()
    {
        var outcome = await SendAsync(TestMethods.Unary.FullName, RawHttp2Connection.GrpcMessage(Serialize("a"), flag: 1));

        Assert.Equal("13", outcome.GrpcStatus);
        Assert.Equal("grpc: compressed flag set with identity or empty encoding", outcome.GrpcMessage);
    }

    [Fact]
    public async Task Unknown_payload_format_is_internal()
    {
        var outcome = await SendAsync(TestMethods.Unary.FullName, RawHttp2Connection.GrpcMessage(Serialize("a"), flag: 2));

        Assert.Equal("13", outcome.GrpcStatus);
        Assert.Equal("grpc: received unexpected payload format 2", outcome.GrpcMessage);
    }

    [Fact]
    public async Task Unsupported_encoding_is_unimplemented_and_names_what_is_supported()
    {
        var outcome = await SendAsync(TestMethods.Unary.FullName, RawHttp2Connection.GrpcMessage(Serialize("a"), flag: 1), ("grpc-encoding", "snappy"));

        Assert.Equal("12", outcome.GrpcStatus);
        Assert.Equal("grpc: Decompressor is not installed for grpc-encoding \"snappy\"", outcome.GrpcMessage);
        Assert.Equal("identity,gzip", outcome.Headers.NonValidated["grpc-accept-encoding"].ToString());
    }

    [Fact]
    public async Task Gzip_compressed_request_is_accepted()
    {
        var outcome = await SendAsync(TestMethods.Unary.FullName, RawHttp2Connection.GrpcMessage(Gzip(Serialize("zipped")), flag: 1), ("grpc-encoding", "gzip"));

        Assert.Equal("0", outcome.GrpcStatus);
        Assert.Equal("zipped", StringValue.Parser.ParseFrom(outcome.Body.AsSpan(5)).Value);
    }

    [Fact]
    public async Task Gzip_that_inflates_past_the_limit_is_resource_exhausted()
    {
        var bomb = Gzip(Serialize(new string('z', MaxMessage * 4)));
        Assert.True(bomb.Length < MaxMessage);

        var outcome = await SendAsync(TestMethods.Unary.FullName, RawHttp2Connection.GrpcMessage(bomb, flag: 1), ("grpc-encoding", "gzip"));

        Assert.Equal("8", outcome.GrpcStatus);
        Assert.Equal($"grpc: received message larger than max ({MaxMessage + 1} vs. {MaxMessage})", outcome.GrpcMessage);
    }

    [Fact]
    public async Task Oversized_message_is_refused_from_its_prefix()
    {
        // Only the 5-byte prefix is sent: the refusal cannot wait for the body.
        var prefix = RawHttp2Connection.GrpcMessage(new byte[MaxMessage + 1]).AsSpan(0, 5).ToArray();

        var outcome = await SendAsync(TestMethods.Unary.FullName, prefix);

        Assert.Equal("8", outcome.GrpcStatus);
        Assert.Equal($"grpc: received message larger than max ({MaxMessage + 1} vs. {MaxMessage})", outcome.GrpcMessage);
    }

    [Fact]
    public async Task Malformed_timeout_is_internal_with_grpc_go_text()
    {
        var outcome = await SendAsync(TestMethods.Unary.FullName, RawHttp2Connection.GrpcMessage(Serialize("a")), ("grpc-timeout", "5x"));

        Assert.Equal("13", outcome.GrpcStatus);
        Assert.Equal("transport: malformed time-out: transport: timeout unit is not recognized: \"5x\"", outcome.GrpcMessage);
    }

    [Fact]
    public async Task Path_without_a_method_is_malformed_method_name()
    {
        var outcome = await SendAsync("/justonesegment", RawHttp2Connection.GrpcMessage(Serialize("a")));

        Assert.Equal("8", outcome.GrpcStatus);
        Assert.Equal("malformed method name: \"/justonesegment\"", outcome.GrpcMessage);
    }

    [Fact]
    public async Task Errors_before_any_message_are_trailers_only()
    {
        var outcome = await SendAsync("/cairn.test.Echo/Nope", RawHttp2Connection.GrpcMessage(Serialize("a")));

        Assert.Equal(HttpStatusCode.OK, outcome.HttpStatus);
        Assert.Equal("12", outcome.Headers.NonValidated["grpc-status"].ToString());
        Assert.Equal("unknown method Nope for service cairn.test.Echo", outcome.GrpcMessage);
        Assert.Empty(outcome.Body);
    }

    [Fact]
    public async Task Grpc_over_http1_is_refused_with_grpc_go_answer()
    {
        var result = await ExternalProcess.CurlAsync(
            "--http1.1", "-i", "-X", "POST", "-H", "content-type: application/grpc", "--data-binary", "x", _server.Url + TestMethods.Unary.FullName);

        Assert.StartsWith("HTTP/1.1 400", result.Stdout);
        Assert.EndsWith("gRPC requires HTTP/2\n", result.Stdout);
    }

    private Task<RawGrpcCall.Outcome> SendAsync(string path, byte[] body, params (string, string)[] headers) =>
        RawGrpcCall.SendAsync(_server.Url, path, body, headers);

    private static byte[] Serialize(string value) => new StringValue { Value = value }.ToByteArray();

    private static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal))
        {
            gzip.Write(data);
        }
        return output.ToArray();
    }
}
