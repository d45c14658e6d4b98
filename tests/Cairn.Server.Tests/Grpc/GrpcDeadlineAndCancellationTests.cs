using Cairn.Server.Grpc;
using Cairn.Server.Grpc.Client;
using Cairn.Server.Grpc.Server;
using Cairn.Server.Tests.Grpc.Support;
using Google.Protobuf.WellKnownTypes;

namespace Cairn.Server.Tests.Grpc;

public sealed class GrpcDeadlineAndCancellationTests : IAsyncLifetime
{
    private static readonly GrpcMethod<StringValue, StringValue> Hang =
        GrpcMethod.Unary(TestMethods.EchoService, "Hang", StringValue.Parser, StringValue.Parser);

    private static readonly GrpcMethod<StringValue, StringValue> HangStream =
        GrpcMethod.ServerStreaming(TestMethods.EchoService, "HangStream", StringValue.Parser, StringValue.Parser);

    private readonly TaskCompletionSource<GrpcCallContext> _hangCancelled = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TestWireServer _server = null!;
    private GrpcChannel _channel = null!;

    public async Task InitializeAsync()
    {
        _server = await TestWireServer.StartAsync(s => s
            .AddUnary(Hang, async (_, context) =>
            {
                await WaitForCancellationAsync(context);
                return new StringValue();
            })
            .AddServerStreaming(HangStream, async (_, responses, context) =>
            {
                await responses.WriteAsync(new StringValue { Value = "first" });
                await WaitForCancellationAsync(context);
            }));
        _channel = _server.CreateChannel();
    }

    public async Task DisposeAsync()
    {
        _channel.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Client_deadline_fails_the_call_and_cancels_the_handler()
    {
        var error = await Assert.ThrowsAsync<GrpcException>(() =>
            _channel.UnaryAsync(Hang, new StringValue(), new GrpcCallOptions { Timeout = TimeSpan.FromMilliseconds(300) }));

        Assert.Equal(GrpcStatusCode.DeadlineExceeded, error.Code);
        Assert.Equal("context deadline exceeded", error.Detail);
        var context = await _hangCancelled.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.NotNull(context.Deadline);
    }

    [Fact]
    public async Task Server_enforces_grpc_timeout_even_if_the_client_waits()
    {
        // .NET's client does not enforce grpc-timeout itself: the answer must come from the server.
        var body = RawHttp2Connection.GrpcMessage(Google.Protobuf.MessageExtensions.ToByteArray(new StringValue()));

        var outcome = await RawGrpcCall.SendAsync(_server.Url, Hang.FullName, body, ("grpc-timeout", "200m"));

        Assert.Equal("4", outcome.GrpcStatus);
        Assert.Equal("context deadline exceeded", outcome.GrpcMessage);
    }

    [Fact]
    public async Task Deadline_in_the_past_fails_before_sending()
    {
        var error = await Assert.ThrowsAsync<GrpcException>(() =>
            _channel.UnaryAsync(Hang, new StringValue(), new GrpcCallOptions { Deadline = DateTime.UtcNow.AddSeconds(-1) }));

        Assert.Equal(GrpcStatusCode.DeadlineExceeded, error.Code);
        Assert.False(_hangCancelled.Task.IsCompleted);
    }

    [Fact]
    public async Task Cancelling_the_token_fails_the_call_as_cancelled_and_cancels_the_handler()
    {
        using var cancel = new CancellationTokenSource();
        var call = _channel.UnaryAsync(Hang, new StringValue(), new GrpcCallOptions { CancellationToken = cancel.Token });
        await Eventually.HoldsAsync(() => _server.Server.Grpc.ActiveCalls == 1, "the call reached the handler");

        await cancel.CancelAsync();
        var error = await Assert.ThrowsAsync<GrpcException>(() => call);

        Assert.Equal(GrpcStatusCode.Cancelled, error.Code);
        var context = await _hangCancelled.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Null(context.Deadline);
    }

    [Fact]
    public async Task Disposing_a_stream_mid_way_cancels_the_handler()
    {
        var call = _channel.ServerStreaming(HangStream, new StringValue());
        Assert.True(await call.ResponseStream.MoveNextAsync());
        Assert.Equal("first", call.ResponseStream.Current.Value);

        call.Dispose();

        await _hangCancelled.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await Eventually.HoldsAsync(() => _server.Server.Grpc.ActiveCalls == 0, "the call ended");
    }

    [Fact]
    public async Task Stream_deadline_ends_reading_with_deadline_exceeded()
    {
        using var call = _channel.ServerStreaming(HangStream, new StringValue(), new GrpcCallOptions { Timeout = TimeSpan.FromMilliseconds(300) });
        Assert.True(await call.ResponseStream.MoveNextAsync());

        var error = await Assert.ThrowsAsync<GrpcException>(async () => await call.ResponseStream.MoveNextAsync());

        Assert.Equal(GrpcStatusCode.DeadlineExceeded, error.Code);
        await _hangCancelled.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void Timeout_header_uses_the_finest_unit_that_fits_and_rounds_up()
    {
        Assert.Equal("1000000n", GrpcTimeout.Format(TimeSpan.FromMilliseconds(1)));
        Assert.Equal("100000u", GrpcTimeout.Format(TimeSpan.FromMilliseconds(100)));
        Assert.Equal("5000000u", GrpcTimeout.Format(TimeSpan.FromSeconds(5)));
        Assert.Equal("7200000m", GrpcTimeout.Format(TimeSpan.FromHours(2)));
        Assert.Equal("0n", GrpcTimeout.Format(TimeSpan.Zero));
    }

    [Theory]
    [InlineData("1H", 36_000_000_000L)]
    [InlineData("2M", 1_200_000_000L)]
    [InlineData("3S", 30_000_000L)]
    [InlineData("4m", 40_000L)]
    [InlineData("5u", 50L)]
    [InlineData("150n", 2L)]
    [InlineData("99999999S", 999_999_990_000_000L)]
    public void Timeout_header_parses_every_unit(string header, long ticks)
    {
        Assert.True(GrpcTimeout.TryParse(header, out var timeout, out _));
        Assert.Equal(ticks, timeout.Ticks);
    }

    [Theory]
    [InlineData("5", "transport: timeout string is too short: \"5\"")]
    [InlineData("1234567890S", "transport: timeout string is too long: \"1234567890S\"")]
    [InlineData("5x", "transport: timeout unit is not recognized: \"5x\"")]
    [InlineData("-5S", "strconv.ParseInt: parsing \"-5\": invalid syntax")]
    public void Timeout_header_errors_read_as_grpc_go_writes_them(string header, string error)
    {
        Assert.False(GrpcTimeout.TryParse(header, out _, out var message));
        Assert.Equal(error, message);
    }

    private async Task WaitForCancellationAsync(GrpcCallContext context)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, context.CancellationToken);
        }
        finally
        {
            _hangCancelled.TrySetResult(context);
        }
    }
}
