using Cairn.Server.Grpc;
using Cairn.Server.Grpc.Client;
using Cairn.Server.Tests.Grpc.Support;
using Google.Protobuf.WellKnownTypes;

namespace Cairn.Server.Tests.Grpc;

public sealed class GrpcStreamingCallTests : IAsyncLifetime
{
    private TestWireServer _server = null!;
    private GrpcChannel _channel = null!;

    public async Task InitializeAsync()
    {
        _server = await TestWireServer.StartAsync(s => s.AddEcho());
        _channel = _server.CreateChannel();
    }

    public async Task DisposeAsync()
    {
        _channel.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Server_stream_delivers_every_message_in_order_then_trailers()
    {
        using var call = _channel.ServerStreaming(TestMethods.ServerStream, new StringValue { Value = "100" });

        var received = new List<string>();
        await foreach (var message in call.ResponseStream.ReadAllAsync())
        {
            received.Add(message.Value);
        }

        Assert.Equal(Enumerable.Range(0, 100).Select(i => i.ToString()), received);
        Assert.Equal("100", call.GetTrailers().GetValue("sent"));
    }

    [Fact]
    public async Task Server_stream_with_no_messages_ends_cleanly()
    {
        using var call = _channel.ServerStreaming(TestMethods.ServerStream, new StringValue { Value = "0" });

        Assert.False(await call.ResponseStream.MoveNextAsync());
        Assert.Equal("0", call.GetTrailers().GetValue("sent"));
    }

    [Fact]
    public async Task Server_stream_error_after_messages_arrives_after_them_with_trailers()
    {
        using var call = _channel.ServerStreaming(TestMethods.ServerStream, new StringValue { Value = "3!" });
        var received = new List<string>();

        var error = await Assert.ThrowsAsync<GrpcException>(async () =>
        {
            await foreach (var message in call.ResponseStream.ReadAllAsync())
            {
                received.Add(message.Value);
            }
        });

        Assert.Equal(["0", "1", "2"], received);
        Assert.Equal(GrpcStatusCode.Aborted, error.Code);
        Assert.Equal("failed after 3", error.Detail);
        Assert.Equal("3", error.Trailers.GetValue("sent"));
    }

    [Fact]
    public async Task Client_stream_sees_every_request_then_answers_once()
    {
        using var call = _channel.ClientStreaming(TestMethods.ClientStream);
        for (var i = 0; i < 50; i++)
        {
            await call.RequestStream.WriteAsync(new StringValue { Value = (i % 10).ToString() });
        }
        await call.RequestStream.CompleteAsync();

        var response = await call.ResponseAsync;

        Assert.Equal(string.Concat(Enumerable.Repeat("0123456789", 5)), response.Value);
    }

    [Fact]
    public async Task Duplex_call_answers_each_request_while_the_stream_stays_open()
    {
        using var call = _channel.DuplexStreaming(TestMethods.Duplex);
        for (var i = 0; i < 20; i++)
        {
            await call.RequestStream.WriteAsync(new StringValue { Value = i.ToString() });
            Assert.True(await call.ResponseStream.MoveNextAsync());
            Assert.Equal("echo:" + i, call.ResponseStream.Current.Value);
        }
        await call.RequestStream.CompleteAsync();

        Assert.False(await call.ResponseStream.MoveNextAsync());
    }

    [Fact]
    public async Task Many_concurrent_streams_share_one_connection()
    {
        // Until the server's SETTINGS arrive the client assumes 100 streams at most and would
        // open a second connection; one call first lets them arrive.
        await _channel.UnaryAsync(TestMethods.Unary, new StringValue());
        var calls = Enumerable.Range(0, 200).Select(async i =>
        {
            using var call = _channel.DuplexStreaming(TestMethods.Duplex);
            await call.RequestStream.WriteAsync(new StringValue { Value = i.ToString() });
            await call.RequestStream.CompleteAsync();
            var all = new List<string>();
            await foreach (var message in call.ResponseStream.ReadAllAsync())
            {
                all.Add(message.Value);
            }
            return all.Single();
        });

        var results = await Task.WhenAll(calls);

        Assert.Equal(Enumerable.Range(0, 200).Select(i => "echo:" + i), results);
        Assert.Equal(1, _server.Server.OpenConnections);
    }

    [Fact]
    public async Task Large_messages_cross_in_both_directions()
    {
        var big = new string('x', 3 * 1024 * 1024);

        var response = await _channel.UnaryAsync(TestMethods.Unary, new StringValue { Value = big });

        Assert.Equal(big, response.Value);
    }
}
