using System.Text.Json;
using Cairn.Protocol.Etcdserverpb;
using Cairn.Protocol.Mvccpb;
using Cairn.Server.Grpc;
using Cairn.Server.Grpc.Server;
using Cairn.Server.Hosting;
using Cairn.Server.Tests.Grpc.Support;
using Google.Protobuf;

namespace Cairn.Server.Tests.Grpc;

/// <summary>
/// The real etcdctl 3.4.23 (grpc-go) against test-only handlers of etcd's services: it must
/// print exactly what the handlers answered, and etcd's error texts must come out unchanged.
/// </summary>
public sealed class EtcdctlAgainstTestServicesTests : IAsyncLifetime
{
    private static readonly ResponseHeader Header = new() { ClusterId = 1, MemberId = 2, Revision = 5, RaftTerm = 3 };

    private readonly TaskCompletionSource<RangeRequest> _rangeSeen = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<GrpcCallContext> _slowCancelled = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _watchCancelled = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TestWireServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await TestWireServer.StartAsync(s => s
            .AddUnary(TestMethods.Range, RangeAsync)
            .AddUnary(TestMethods.Status, (_, _) => ValueTask.FromResult(new StatusResponse
            {
                Header = Header, Version = "3.4.23", DbSize = 20480, Leader = 2, RaftIndex = 9, RaftTerm = 3,
                RaftAppliedIndex = 9, DbSizeInUse = 16384,
            }))
            .AddDuplexStreaming(TestMethods.Watch, WatchAsync));
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Get_prints_what_the_range_handler_returned()
    {
        var result = await ExternalProcess.EtcdctlAsync(_server.Url, "get", "foo", "-w", "json");

        Assert.True(result.ExitCode == 0, result.ToString());
        using var json = JsonDocument.Parse(result.Stdout);
        var root = json.RootElement;
        Assert.Equal(5, root.GetProperty("header").GetProperty("revision").GetInt64());
        Assert.Equal(3, root.GetProperty("header").GetProperty("raft_term").GetInt64());
        var kv = Assert.Single(root.GetProperty("kvs").EnumerateArray());
        Assert.Equal("foo", System.Text.Encoding.UTF8.GetString(kv.GetProperty("key").GetBytesFromBase64()));
        Assert.Equal("bar", System.Text.Encoding.UTF8.GetString(kv.GetProperty("value").GetBytesFromBase64()));
        Assert.Equal(4, kv.GetProperty("create_revision").GetInt64());
        Assert.Equal(1, root.GetProperty("count").GetInt64());
        var request = await _rangeSeen.Task;
        Assert.Equal("foo", request.Key.ToStringUtf8());
    }

    [Fact]
    public async Task Get_in_simple_format_prints_key_and_value()
    {
        var result = await ExternalProcess.EtcdctlAsync(_server.Url, "get", "foo");

        Assert.Equal("foo\nbar\n", result.Stdout);
    }

    [Fact]
    public async Task Endpoint_status_prints_the_status_handler_answer()
    {
        var result = await ExternalProcess.EtcdctlAsync(_server.Url, "endpoint", "status", "-w", "json");

        Assert.True(result.ExitCode == 0, result.ToString());
        using var json = JsonDocument.Parse(result.Stdout);
        var entry = Assert.Single(json.RootElement.EnumerateArray());
        Assert.Equal(_server.Url, entry.GetProperty("Endpoint").GetString());
        var status = entry.GetProperty("Status");
        Assert.Equal("3.4.23", status.GetProperty("version").GetString());
        Assert.Equal(20480, status.GetProperty("dbSize").GetInt64());
        Assert.Equal(16384, status.GetProperty("dbSizeInUse").GetInt64());
        Assert.Equal(2, status.GetProperty("leader").GetInt64());
    }

    [Fact]
    public async Task Etcd_error_text_comes_out_of_etcdctl_unchanged()
    {
        var result = await ExternalProcess.EtcdctlAsync(_server.Url, "get", "compacted");

        Assert.NotEqual(0, result.ExitCode);
        Assert.EndsWith("Error: etcdserver: mvcc: required revision has been compacted\n", result.Stderr);
    }

    [Fact]
    public async Task Other_status_texts_keep_code_and_characters()
    {
        var result = await ExternalProcess.EtcdctlAsync(_server.Url, "get", "custom");

        Assert.EndsWith("Error: rpc error: code = FailedPrecondition desc = héllo 100% sure\n", result.Stderr);
    }

    [Fact]
    public async Task Unknown_service_is_unimplemented_with_grpc_go_text()
    {
        var result = await ExternalProcess.EtcdctlAsync(_server.Url, "lease", "list");

        Assert.EndsWith("Error: rpc error: code = Unimplemented desc = unknown service etcdserverpb.Lease\n", result.Stderr);
    }

    [Fact]
    public async Task Unknown_method_of_a_known_service_is_unimplemented_with_grpc_go_text()
    {
        var result = await ExternalProcess.EtcdctlAsync(_server.Url, "put", "foo", "bar");

        Assert.EndsWith("Error: rpc error: code = Unimplemented desc = unknown method Put for service etcdserverpb.KV\n", result.Stderr);
    }

    [Fact]
    public async Task Etcdctl_command_timeout_reaches_the_handler_as_a_deadline()
    {
        var result = await ExternalProcess.RunAsync("etcdctl", [$"--endpoints={_server.Url}", "--command-timeout=1s", "get", "slow"]);

        Assert.EndsWith("Error: context deadline exceeded\n", result.Stderr);
        var context = await _slowCancelled.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.NotNull(context.Deadline);
    }

    [Fact]
    public async Task Watch_streams_events_and_a_killed_etcdctl_cancels_the_handler()
    {
        var output = await ExternalProcess.RunUntilAsync(
            "etcdctl", [$"--endpoints={_server.Url}", "watch", "foo"], printed => printed.Contains("bar\n"));

        Assert.Equal("PUT\nfoo\nbar\n", output);
        await _watchCancelled.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Oversized_request_is_refused_with_grpc_go_text()
    {
        await using var small = await TestWireServer.StartAsync(
            s => s.AddUnary(TestMethods.Put, (_, _) => ValueTask.FromResult(new PutResponse { Header = Header })),
            options: new WireServerOptions { Grpc = new GrpcServerOptions { MaxReceiveMessageSize = 1024 } });
        var value = new string('v', 2000);
        var size = new PutRequest { Key = ByteString.CopyFromUtf8("foo"), Value = ByteString.CopyFromUtf8(value) }.CalculateSize();

        var refused = await ExternalProcess.EtcdctlAsync(small.Url, "put", "foo", value);
        var accepted = await ExternalProcess.EtcdctlAsync(small.Url, "put", "foo", "small");

        Assert.EndsWith($"Error: rpc error: code = ResourceExhausted desc = grpc: received message larger than max ({size} vs. 1024)\n", refused.Stderr);
        Assert.Equal("OK\n", accepted.Stdout);
    }

    private async ValueTask<RangeResponse> RangeAsync(RangeRequest request, GrpcCallContext context)
    {
        switch (request.Key.ToStringUtf8())
        {
            case "compacted":
                throw new GrpcException(GrpcStatusCode.OutOfRange, "etcdserver: mvcc: required revision has been compacted");
            case "custom":
                throw new GrpcException(GrpcStatusCode.FailedPrecondition, "héllo 100% sure");
            case "slow":
                try
                {
                    await Task.Delay(Timeout.Infinite, context.CancellationToken);
                }
                finally
                {
                    _slowCancelled.TrySetResult(context);
                }
                break;
        }
        _rangeSeen.TrySetResult(request);
        return new RangeResponse
        {
            Header = Header,
            Count = 1,
            Kvs =
            {
                new KeyValue
                {
                    Key = ByteString.CopyFromUtf8("foo"), Value = ByteString.CopyFromUtf8("bar"),
                    CreateRevision = 4, ModRevision = 5, Version = 2,
                },
            },
        };
    }

    private async Task WatchAsync(IGrpcStreamReader<WatchRequest> requests, IGrpcStreamWriter<WatchResponse> responses, GrpcCallContext context)
    {
        try
        {
            while (await requests.MoveNextAsync())
            {
                if (requests.Current.CreateRequest is not { } create)
                {
                    continue;
                }
                await responses.WriteAsync(new WatchResponse { Header = Header, WatchId = 0, Created = true });
                await responses.WriteAsync(new WatchResponse
                {
                    Header = Header,
                    WatchId = 0,
                    Events = { new Event { Type = Event.Types.EventType.Put, Kv = new KeyValue { Key = create.Key, Value = ByteString.CopyFromUtf8("bar"), ModRevision = 6 } } },
                });
            }
        }
        finally
        {
            if (context.CancellationToken.IsCancellationRequested)
            {
                _watchCancelled.TrySetResult();
            }
        }
    }
}
