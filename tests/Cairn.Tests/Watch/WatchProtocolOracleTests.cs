using Cairn.Protocol.Etcdserverpb;
using Cairn.Server.Api;
using Cairn.Server.Grpc.Client;
using Google.Protobuf;

namespace Cairn.Tests.Watch;

/// <summary>
/// The Watch stream at the protocol level, driven by a gRPC client against etcd 3.4.23 and cairn:
/// each step's responses must be the same (cluster and member IDs aside; responses to different
/// watchers about one revision compared as a set, since etcd sends them in map order).
/// </summary>
public sealed class WatchProtocolOracleTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    /// <summary>A stream to one server, read by steps.</summary>
    private sealed class Session : IAsyncDisposable
    {
        private readonly GrpcChannel _channel;
        private readonly GrpcDuplexStreamingCall<WatchRequest, WatchResponse> _call;

        public Session(WatchServer server)
        {
            Server = server;
            _channel = new GrpcChannel(server.Url);
            _call = _channel.DuplexStreaming(EtcdMethods.Watch.Stream);
        }

        public WatchServer Server { get; }

        public async Task PutAsync(string key, string value) =>
            await _channel.UnaryAsync(EtcdMethods.Kv.Put, new PutRequest { Key = ByteString.CopyFromUtf8(key), Value = ByteString.CopyFromUtf8(value) });

        public async Task DeleteAsync(string key, string end) =>
            await _channel.UnaryAsync(EtcdMethods.Kv.DeleteRange, new DeleteRangeRequest { Key = ByteString.CopyFromUtf8(key), RangeEnd = ByteString.CopyFromUtf8(end) });

        public async Task CompactAsync(long revision) =>
            await _channel.UnaryAsync(EtcdMethods.Kv.Compact, new CompactionRequest { Revision = revision, Physical = true });

        public Task SendAsync(WatchRequest request) => _call.RequestStream.WriteAsync(request).AsTask();

        /// <summary>The next <paramref name="count"/> responses, IDs normalised, sorted when <paramref name="anyOrder"/>.</summary>
        public async Task<List<string>> ReadAsync(int count, bool anyOrder = false)
        {
            var responses = new List<string>();
            using var timeout = new CancellationTokenSource(Patience);
            for (int i = 0; i < count; i++)
            {
                Assert.True(await _call.ResponseStream.MoveNextAsync(timeout.Token), $"{Server.Name}: the stream ended after {responses.Count} responses");
                var r = _call.ResponseStream.Current.Clone();
                r.Header.ClusterId = 0;
                r.Header.MemberId = 0;
                responses.Add(r.ToString());
            }
            return anyOrder ? [.. responses.Order(StringComparer.Ordinal)] : responses;
        }

        public async ValueTask DisposeAsync()
        {
            _call.Dispose();
            _channel.Dispose();
            await Server.DisposeAsync();
        }
    }

    private static WatchRequest Create(string key, string? end = null, long start = 0, long id = 0, bool progressNotify = false,
        bool prevKv = false, bool fragment = false) => new()
    {
        CreateRequest = new WatchCreateRequest
        {
            Key = ByteString.CopyFromUtf8(key),
            RangeEnd = end is null ? ByteString.Empty : ByteString.CopyFromUtf8(end),
            StartRevision = start,
            WatchId = id,
            ProgressNotify = progressNotify,
            PrevKv = prevKv,
            Fragment = fragment,
        },
    };

    /// <summary>Runs the same steps on both servers, comparing each step's responses.</summary>
    private static async Task CompareAsync(string[] serverFlags, params Func<Session, Task<List<string>>>[] steps)
    {
        var (etcd, cairn) = await WatchServer.BothAsync(serverFlags);
        await using var e = new Session(etcd);
        await using var c = new Session(cairn);
        for (int i = 0; i < steps.Length; i++)
        {
            var expected = await steps[i](e);
            var actual = await steps[i](c);
            Assert.True(expected.SequenceEqual(actual),
                $"step {i}:\n etcd:  {string.Join("\n        ", expected)}\n cairn: {string.Join("\n        ", actual)}");
        }
    }

    [Fact]
    public async Task Creation_ids_refusals_events_cancel_and_progress()
    {
        await CompareAsync([],
            async s =>
            {
                await s.PutAsync("foo", "1");
                await s.SendAsync(Create("foo"));
                await s.SendAsync(Create("foo", id: 5));
                await s.SendAsync(Create("foo", id: 5));
                await s.SendAsync(Create("b", end: "a"));
                await s.SendAsync(Create("foo"));
                await s.SendAsync(Create("fo", end: "fp", start: 1, id: 9));
                return await s.ReadAsync(6);
            },
            async s => await s.ReadAsync(1),   // watcher 9's replay of revision 2
            async s =>
            {
                await s.PutAsync("foo", "2");
                return await s.ReadAsync(4, anyOrder: true);
            },
            async s =>
            {
                await s.SendAsync(new WatchRequest { CancelRequest = new WatchCancelRequest { WatchId = 5 } });
                await s.SendAsync(new WatchRequest { CancelRequest = new WatchCancelRequest { WatchId = 99 } });
                await s.SendAsync(new WatchRequest { ProgressRequest = new WatchProgressRequest() });
                return await s.ReadAsync(2);
            });
    }

    [Fact]
    public async Task Periodic_progress_notifications_for_idle_watchers_that_asked()
    {
        await CompareAsync(["--experimental-watch-progress-notify-interval", "200ms"],
            async s =>
            {
                await s.PutAsync("other", "x");
                await s.SendAsync(Create("foo", progressNotify: true));
                return await s.ReadAsync(3);
            });
    }

    [Fact]
    public async Task A_compacted_start_revision_is_created_then_canceled_with_the_compaction_revision()
    {
        await CompareAsync([],
            async s =>
            {
                for (int i = 0; i < 4; i++)
                {
                    await s.PutAsync("foo", $"{i}");
                }
                await s.CompactAsync(4);
                // One watcher after the other: the order of two watchers' responses on a stream is
                // not specified (etcd cancels from its 100 ms sync loop, cairn at once), each one's is.
                await s.SendAsync(Create("foo", start: 2, id: 3));
                var responses = await s.ReadAsync(2);
                await s.SendAsync(Create("foo", start: 4, id: 4));
                return [.. responses, .. await s.ReadAsync(2)];
            });
    }

    [Fact]
    public async Task A_revision_larger_than_the_request_limit_is_fragmented_for_watchers_that_asked()
    {
        var value = new string('v', 1024);
        await CompareAsync(["--max-request-bytes", "4096"],
            async s =>
            {
                for (int i = 0; i < 700; i++)
                {
                    await s.PutAsync($"k{i:000}", value);
                }
                await s.SendAsync(Create("k", end: "l", prevKv: true, fragment: true, id: 1));
                await s.ReadAsync(1);
                await s.DeleteAsync("k", "l");
                var fragments = await s.ReadAsync(2);
                return [.. fragments.Select(f => f.Length.ToString(System.Globalization.CultureInfo.InvariantCulture))];
            });
    }
}
