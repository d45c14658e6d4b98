using Cairn.Server.Grpc;
using Cairn.Server.Grpc.Client;
using Cairn.Server.Grpc.Server;
using Cairn.Server.Hosting;
using Cairn.Server.Tests.Grpc.Support;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace Cairn.Server.Tests.Grpc;

public sealed class GrpcBackpressureAndLeakTests
{
    private static readonly GrpcMethod<StringValue, BytesValue> Flood =
        GrpcMethod.ServerStreaming(TestMethods.EchoService, "Flood", StringValue.Parser, BytesValue.Parser);

    [Fact]
    public async Task Slow_reader_makes_the_writer_wait_instead_of_the_server_buffering()
    {
        const int chunk = 64 * 1024;
        const int total = 800; // 50 MiB if nothing held the writer back
        long written = 0;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await TestWireServer.StartAsync(s => s.AddServerStreaming(Flood, async (_, responses, _) =>
        {
            var payload = new BytesValue { Value = ByteString.CopyFrom(new byte[chunk]) };
            for (var i = 0; i < total; i++)
            {
                await responses.WriteAsync(payload);
                Interlocked.Add(ref written, chunk);
            }
            done.TrySetResult();
        }));
        using var channel = server.CreateChannel();
        using var call = channel.ServerStreaming(Flood, new StringValue());
        Assert.True(await call.ResponseStream.MoveNextAsync());

        // Nothing reads now. What the writer got rid of is bounded by the flow-control windows
        // and pipe buffers (a few MiB), far below the whole stream.
        await Eventually.HoldsAsync(() => Interlocked.Read(ref written) > 0, "the writer started");
        var stalled = await Task.WhenAny(done.Task, Task.Delay(TimeSpan.FromSeconds(1))) != done.Task;
        var heldBack = Interlocked.Read(ref written);

        Assert.True(stalled, "the writer finished although nobody read");
        Assert.True(heldBack < 32L * 1024 * 1024, $"the server took {heldBack} bytes off the writer");

        var received = 1;
        while (await call.ResponseStream.MoveNextAsync())
        {
            received++;
        }
        Assert.Equal(total, received);
        await done.Task;
    }

    [Fact]
    public async Task Hundreds_of_broken_calls_leave_no_call_and_no_connection_behind()
    {
        var seed = Environment.TickCount;
        var random = new Random(seed);
        await using var server = await TestWireServer.StartAsync(
            s => s.AddEcho(),
            options: new WireServerOptions { Grpc = new GrpcServerOptions { MaxReceiveMessageSize = 1024 } });
        using (var channel = server.CreateChannel(connections: 4))
        {
            var work = Enumerable.Range(0, 300).Select(i => BreakOneCallAsync(server, channel, random.Next(6), i));
            await Task.WhenAll(work);
        }

        await Eventually.HoldsAsync(() => server.Server.Grpc.ActiveCalls == 0, $"all calls ended (seed {seed})");
        await Eventually.HoldsAsync(() => server.Server.OpenConnections == 0, $"all connections closed (seed {seed})");
        using var after = server.CreateChannel();
        Assert.Equal("fine", (await after.UnaryAsync(TestMethods.Unary, new StringValue { Value = "fine" })).Value);
    }

    private static async Task BreakOneCallAsync(TestWireServer server, GrpcChannel channel, int kind, int i)
    {
        switch (kind)
        {
            case 0: // oversized
                await Assert.ThrowsAsync<GrpcException>(() => channel.UnaryAsync(TestMethods.Unary, new StringValue { Value = new string('x', 2000) }));
                break;
            case 1: // malformed protobuf
                await RawGrpcCall.SendAsync(server.Url, TestMethods.Unary.FullName, RawHttp2Connection.GrpcMessage([0x0A, 0x7F]));
                break;
            case 2: // truncated
                await RawGrpcCall.SendAsync(server.Url, TestMethods.ClientStream.FullName, [0, 0, 0, 0, 9, 1]);
                break;
            case 3: // cancelled mid-stream by the client
            {
                var call = channel.DuplexStreaming(TestMethods.Duplex);
                await call.RequestStream.WriteAsync(new StringValue { Value = i.ToString() });
                await call.ResponseStream.MoveNextAsync();
                call.Dispose();
                break;
            }
            case 4: // connection dropped mid-message
            {
                await using var raw = await RawHttp2Connection.ConnectAsync(server.Port);
                await raw.WriteFrameAsync(RawHttp2Connection.Headers, RawHttp2Connection.EndHeaders, 1,
                    RawHttp2Connection.GrpcRequestBlock(TestMethods.ClientStream.FullName, server.Port));
                await raw.WriteFrameAsync(RawHttp2Connection.Data, 0, 1, [0, 0, 0, 0, 50, 10]);
                break;
            }
            default: // deadline
                await Assert.ThrowsAsync<GrpcException>(async () =>
                {
                    using var call = channel.DuplexStreaming(TestMethods.Duplex, new GrpcCallOptions { Timeout = TimeSpan.FromMilliseconds(50) });
                    await call.ResponseStream.MoveNextAsync();
                });
                break;
        }
    }
}
