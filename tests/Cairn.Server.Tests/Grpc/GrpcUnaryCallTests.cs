using Cairn.Server.Grpc;
using Cairn.Server.Grpc.Client;
using Cairn.Server.Tests.Grpc.Support;
using Google.Protobuf.WellKnownTypes;

namespace Cairn.Server.Tests.Grpc;

public sealed class GrpcUnaryCallTests
{
    [Fact]
    public async Task Unary_call_returns_the_handler_response()
    {
        await using var server = await TestWireServer.StartAsync(s => s.AddUnary(TestMethods.Unary,
            (request, _) => ValueTask.FromResult(new StringValue { Value = "echo:" + request.Value })));
        using var channel = server.CreateChannel();

        var response = await channel.UnaryAsync(TestMethods.Unary, new StringValue { Value = "hi" });

        Assert.Equal("echo:hi", response.Value);
    }

    [Fact]
    public async Task Request_metadata_reaches_the_handler_and_response_metadata_the_client()
    {
        await using var server = await TestWireServer.StartAsync(s => s.AddUnary(TestMethods.Unary, (_, context) =>
        {
            var token = context.RequestHeaders.GetValue("token");
            var blob = context.RequestHeaders.GetBytes("blob-bin");
            return ValueTask.FromResult(new StringValue { Value = $"{token}/{Convert.ToHexString(blob ?? [])}" });
        }));
        using var channel = server.CreateChannel();

        var headers = new GrpcMetadata().Add("token", "secret").Add("blob-bin", [0x00, 0xFF, 0x10]);
        var response = await channel.UnaryAsync(TestMethods.Unary, new StringValue(), new GrpcCallOptions { Headers = headers });

        Assert.Equal("secret/00FF10", response.Value);
    }

    [Fact]
    public async Task Handler_status_reaches_the_client_with_code_and_exact_text()
    {
        const string text = "etcdserver: 100% wrong — ünïcode\nline";
        await using var server = await TestWireServer.StartAsync(s => s.AddUnary(TestMethods.Unary,
            (_, _) => throw new GrpcException(GrpcStatusCode.FailedPrecondition, text)));
        using var channel = server.CreateChannel();

        var error = await Assert.ThrowsAsync<GrpcException>(() => channel.UnaryAsync(TestMethods.Unary, new StringValue()));

        Assert.Equal(GrpcStatusCode.FailedPrecondition, error.Code);
        Assert.Equal(text, error.Detail);
    }

    [Fact]
    public async Task An_idle_connection_outlives_kestrels_heartbeat()
    {
        // Kestrel checks its timers every second; an idle HTTP/2 connection must not be closed
        // by them (etcd's clients keep one connection for hours).
        await using var server = await TestWireServer.StartAsync(s => s.AddEcho());
        using var channel = server.CreateChannel();
        await channel.UnaryAsync(TestMethods.Unary, new StringValue { Value = "before" });

        await Task.Delay(TimeSpan.FromSeconds(2.5));
        var after = await channel.UnaryAsync(TestMethods.Unary, new StringValue { Value = "after" });

        Assert.Equal("after", after.Value);
        Assert.Equal(1, server.Server.AcceptedConnections);
    }

    [Fact]
    public async Task Unexpected_handler_exception_is_unknown_with_its_message()
    {
        await using var server = await TestWireServer.StartAsync(s => s.AddUnary(TestMethods.Unary,
            (_, _) => throw new InvalidOperationException("the handler tripped")));
        using var channel = server.CreateChannel();

        var error = await Assert.ThrowsAsync<GrpcException>(() => channel.UnaryAsync(TestMethods.Unary, new StringValue()));

        Assert.Equal(GrpcStatusCode.Unknown, error.Code);
        Assert.Equal("the handler tripped", error.Detail);
        Assert.Equal(1, server.Server.Services.Methods.Single().Statistics.Handled(GrpcStatusCode.Unknown));
    }

    [Fact]
    public async Task Response_headers_can_be_sent_before_any_message()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await TestWireServer.StartAsync(s => s.AddServerStreaming(TestMethods.ServerStream, async (_, responses, context) =>
        {
            context.ResponseHeaders.Add("member-id", "7");
            await context.SendResponseHeadersAsync();
            await release.Task.WaitAsync(context.CancellationToken);
            await responses.WriteAsync(new StringValue { Value = "late" });
        }));
        using var channel = server.CreateChannel();
        using var call = channel.ServerStreaming(TestMethods.ServerStream, new StringValue());

        var headers = await call.ResponseHeadersAsync();
        release.SetResult();

        Assert.Equal("7", headers.GetValue("member-id"));
        Assert.True(await call.ResponseStream.MoveNextAsync());
        Assert.Equal("late", call.ResponseStream.Current.Value);
    }

    [Fact]
    public async Task Unreachable_server_is_unavailable()
    {
        using var channel = new GrpcChannel("http://127.0.0.1:1");

        var error = await Assert.ThrowsAsync<GrpcException>(() => channel.UnaryAsync(TestMethods.Unary, new StringValue()));

        Assert.Equal(GrpcStatusCode.Unavailable, error.Code);
        Assert.StartsWith("connection error: desc = \"transport: Error while dialing", error.Detail);
    }

    [Fact]
    public async Task Statistics_count_calls_messages_and_codes_per_method()
    {
        await using var server = await TestWireServer.StartAsync(s => s.AddEcho());
        using var channel = server.CreateChannel();
        await channel.UnaryAsync(TestMethods.Unary, new StringValue());
        using (var call = channel.ServerStreaming(TestMethods.ServerStream, new StringValue { Value = "2!" }))
        {
            await Assert.ThrowsAsync<GrpcException>(async () => { while (await call.ResponseStream.MoveNextAsync()) { } });
        }

        var unary = server.Server.Services.Methods.Single(m => m.Method == TestMethods.Unary).Statistics;
        var stream = server.Server.Services.Methods.Single(m => m.Method == TestMethods.ServerStream).Statistics;
        Assert.Equal((1, 1, 1, 1), (unary.Started, unary.Handled(GrpcStatusCode.OK), unary.MessagesSent, unary.MessagesReceived));
        Assert.Equal((1, 1, 2, 1), (stream.Started, stream.Handled(GrpcStatusCode.Aborted), stream.MessagesSent, stream.MessagesReceived));
    }
}
