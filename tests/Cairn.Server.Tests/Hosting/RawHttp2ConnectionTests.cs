using System.Text;
using Cairn.Server.Tests.Grpc.Support;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.AspNetCore.Http;

namespace Cairn.Server.Tests.Hosting;

/// <summary>
/// Hand-made HTTP/2: broken frames and HPACK end their connection only; header blocks with
/// the authority grpc-go sends are repaired, also when the HPACK dynamic table refers back to
/// them and when they are split over CONTINUATION frames.
/// </summary>
public sealed class RawHttp2ConnectionTests : IAsyncLifetime
{
    private TestWireServer _server = null!;

    public async Task InitializeAsync() => _server = await TestWireServer.StartAsync(
        s => s.AddEcho(),
        routes => routes.Map("/echo-host", context => context.Response.WriteAsync(context.Request.Host.Value ?? "")));

    public async Task DisposeAsync()
    {
        using var channel = _server.CreateChannel();
        Assert.Equal("ok", (await channel.UnaryAsync(TestMethods.Unary, new StringValue { Value = "ok" })).Value);
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Scheme_authority_indexed_once_then_referenced_serves_every_request()
    {
        await using var connection = await RawHttp2Connection.ConnectAsync(_server.Port);
        var authority = $"http://127.0.0.1:{_server.Port}";

        // First request adds (":authority", "http://...") to the dynamic table: index 62.
        var first = new List<byte> { 0x82, 0x86 };
        AddPath(first, "/echo-host");
        first.Add(0x41);
        RawHttp2Connection.AddString(first, authority);
        await connection.WriteFrameAsync(RawHttp2Connection.Headers, RawHttp2Connection.EndStream | RawHttp2Connection.EndHeaders, 1, first.ToArray());
        var outcomes = new List<RawHttp2Connection.StreamOutcome> { await connection.ReadStreamAsync(1) };

        // Later requests name it by index only.
        foreach (var stream in new[] { 3, 5 })
        {
            var later = new List<byte> { 0x82, 0x86 };
            AddPath(later, "/echo-host");
            later.Add(0x80 | 62);
            await connection.WriteFrameAsync(RawHttp2Connection.Headers, RawHttp2Connection.EndStream | RawHttp2Connection.EndHeaders, stream, later.ToArray());
            outcomes.Add(await connection.ReadStreamAsync(stream));
        }

        var expected = $"127.0.0.1:0000000{_server.Port}";
        Assert.All(outcomes, o => Assert.Equal(expected, Encoding.ASCII.GetString(o.Data)));
    }

    [Fact]
    public async Task Scheme_authority_split_over_continuation_frames_is_repaired()
    {
        await using var connection = await RawHttp2Connection.ConnectAsync(_server.Port);
        var block = new List<byte> { 0x82, 0x86 };
        AddPath(block, "/echo-host");
        block.Add(0x41);
        RawHttp2Connection.AddString(block, $"http://127.0.0.1:{_server.Port}");
        var bytes = block.ToArray();
        var cut = bytes.Length - 6;

        await connection.WriteFrameAsync(RawHttp2Connection.Headers, RawHttp2Connection.EndStream, 1, bytes[..cut]);
        // A pause so the CONTINUATION arrives in a later read, while the HEADERS waits whole.
        await Task.Delay(100);
        await connection.WriteFrameAsync(RawHttp2Connection.Continuation, RawHttp2Connection.EndHeaders, 1, bytes[cut..]);
        var outcome = await connection.ReadStreamAsync(1);

        Assert.Null(outcome.ResetCode);
        Assert.Equal($"127.0.0.1:0000000{_server.Port}", Encoding.ASCII.GetString(outcome.Data));
    }

    [Fact]
    public async Task Garbage_frame_after_the_preface_ends_only_that_connection()
    {
        await using var connection = await RawHttp2Connection.ConnectAsync(_server.Port);

        // A DATA frame on stream 0 is a connection error (PROTOCOL_ERROR).
        await connection.WriteFrameAsync(RawHttp2Connection.Data, 0, 0, [1, 2, 3]);
        var outcome = await connection.ReadStreamAsync(1);

        Assert.True(outcome.ConnectionClosed);
        Assert.Equal(0x1, outcome.GoAwayCode);
    }

    [Fact]
    public async Task Broken_hpack_ends_only_that_connection()
    {
        await using var connection = await RawHttp2Connection.ConnectAsync(_server.Port);

        // Index 0 does not exist (Kestrel says so with GOAWAY INTERNAL_ERROR).
        await connection.WriteFrameAsync(RawHttp2Connection.Headers, RawHttp2Connection.EndStream | RawHttp2Connection.EndHeaders, 1, [0x80]);
        var outcome = await connection.ReadStreamAsync(1);

        Assert.True(outcome.ConnectionClosed);
        Assert.NotNull(outcome.GoAwayCode);
    }

    [Fact]
    public async Task Frame_larger_than_the_server_allows_ends_only_that_connection()
    {
        await using var connection = await RawHttp2Connection.ConnectAsync(_server.Port);

        await connection.WriteAsync([0x10, 0x00, 0x00, RawHttp2Connection.Data, 0, 0, 0, 0, 1]);
        var outcome = await connection.ReadStreamAsync(1);

        Assert.True(outcome.ConnectionClosed);
        Assert.Equal(0x6, outcome.GoAwayCode);
    }

    [Fact]
    public async Task Client_that_vanishes_mid_stream_cancels_the_handler_and_leaks_no_call()
    {
        await using (var connection = await RawHttp2Connection.ConnectAsync(_server.Port))
        {
            var block = RawHttp2Connection.GrpcRequestBlock(TestMethods.Duplex.FullName, _server.Port);
            await connection.WriteFrameAsync(RawHttp2Connection.Headers, RawHttp2Connection.EndHeaders, 1, block);
            var message = RawHttp2Connection.GrpcMessage(new StringValue { Value = "half" }.ToByteArray());
            await connection.WriteFrameAsync(RawHttp2Connection.Data, 0, 1, message[..4]);
            await Eventually.HoldsAsync(() => _server.Server.Grpc.ActiveCalls == 1, "the call started");
        }

        await Eventually.HoldsAsync(() => _server.Server.Grpc.ActiveCalls == 0, "the call ended with its connection");
    }

    [Fact]
    public async Task Http1_garbage_gets_400_and_ends_only_that_connection()
    {
        await using var connection = await RawHttp2Connection.ConnectAsync(_server.Port, sendPreface: false);

        await connection.WriteAsync("GARBAGE\r\n\r\n"u8.ToArray());
        var reply = new byte[64];
        var read = await connection.ReadRawAsync(reply);

        Assert.StartsWith("HTTP/1.1 400", Encoding.ASCII.GetString(reply, 0, read));
    }

    [Fact]
    public async Task Silent_and_half_preface_connections_go_away_quietly()
    {
        var silent = await RawHttp2Connection.ConnectAsync(_server.Port, sendPreface: false);
        var half = await RawHttp2Connection.ConnectAsync(_server.Port, sendPreface: false);
        await half.WriteAsync("PRI * HTTP/2"u8.ToArray());
        await Eventually.HoldsAsync(() => _server.Server.OpenConnections >= 2, "both connections accepted");

        await silent.DisposeAsync();
        await half.DisposeAsync();

        await Eventually.HoldsAsync(() => _server.Server.OpenConnections == 0, "both connections closed");
    }

    private static void AddPath(List<byte> block, string path)
    {
        block.Add(0x04); // literal without indexing, name :path (static 4)
        RawHttp2Connection.AddString(block, path);
    }
}
