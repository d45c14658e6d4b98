using Cairn.Protocol.Etcdserverpb;
using Cairn.Protocol.Mvccpb;
using Cairn.Server.Tests.Server;
using Google.Protobuf;
using Xunit.Abstractions;

namespace Cairn.Server.Tests.Watch;

/// <summary>
/// The guarantees on a whole member: concurrent clients propose puts and deletes through raft,
/// the apply loop feeds the hub, catch-up reads the real batched bolt backend, compactions go
/// through raft too; watchers start at random past revisions. The history is rebuilt from the
/// writers' own responses (revision and prev_kv of each write).
/// </summary>
public sealed class WatchOnMemberServerTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(101)]
    [InlineData(102)]
    public async Task ConcurrentWritersAndWatchersAtPastRevisionsAgreeWithTheHistory(int seed)
    {
        output.WriteLine($"seed {seed}");
        var random = new Random(seed);
        await using var member = await TestMember.StartAsync();
        var server = member.Server;
        var history = new WatchHistory();
        var clients = Enumerable.Range(0, 3).Select(_ => new RecordingWatchClient(new TestWatchClient(server.Watches))).ToArray();
        var watchers = new List<(RecordingWatchClient Client, WatchCreateRequest Request)>();

        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            var r = new Random(seed * 31 + w);
            for (int i = 0; i < 60; i++)
            {
                string key = WatchHistory.Key(r);
                if (r.Next(4) == 0)
                {
                    var result = await server.ProposeAsync(new InternalRaftRequest
                    {
                        DeleteRange = new DeleteRangeRequest { Key = ByteString.CopyFromUtf8(key), PrevKv = true },
                    }, CancellationToken.None);
                    var deleted = (DeleteRangeResponse)result.Response!;
                    if (deleted.Deleted > 0)
                    {
                        var kv = new KeyValue { Key = ByteString.CopyFromUtf8(key), ModRevision = deleted.Header.Revision };
                        history.Add(deleted.Header.Revision, [new Event { Type = Event.Types.EventType.Delete, Kv = kv, PrevKv = deleted.PrevKvs[0] }]);
                    }
                }
                else
                {
                    string value = $"w{w}-{i}";
                    var result = await server.ProposeAsync(new InternalRaftRequest
                    {
                        Put = new PutRequest { Key = ByteString.CopyFromUtf8(key), Value = ByteString.CopyFromUtf8(value), PrevKv = true },
                    }, CancellationToken.None);
                    var put = (PutResponse)result.Response!;
                    long revision = put.Header.Revision;
                    var kv = new KeyValue
                    {
                        Key = ByteString.CopyFromUtf8(key),
                        Value = ByteString.CopyFromUtf8(value),
                        CreateRevision = put.PrevKv?.CreateRevision ?? revision,
                        ModRevision = revision,
                        Version = (put.PrevKv?.Version ?? 0) + 1,
                    };
                    history.Add(revision, [new Event { Kv = kv, PrevKv = put.PrevKv }]);
                }
            }
        })).ToArray();

        var watching = Task.Run(async () =>
        {
            for (int i = 0; i < 24; i++)
            {
                var client = clients[random.Next(clients.Length)];
                long current = server.Store.CurrentRevision;
                var request = WatchHistory.RandomRequest(random, random.Next(4) == 0 ? 0 : random.NextInt64(1, current + 1));
                request.WatchId = i + 1;
                lock (watchers)
                {
                    watchers.Add((client, request));
                }
                client.Client.Send(request);
                if (i % 8 == 7)
                {
                    // A compaction through raft, at a revision known to hold no delete.
                    long at = history.RecordedRevisionWithoutDelete(server.Store.CurrentRevision - 5);
                    if (at > Math.Max(1, server.Store.CompactedRevision))
                    {
                        await server.ProposeAsync(new InternalRaftRequest { Compaction = new CompactionRequest { Revision = at } }, CancellationToken.None);
                    }
                }
                await Task.Delay(random.Next(5));
            }
        });

        await Task.WhenAll([.. writers, watching]).WaitAsync(TimeSpan.FromSeconds(120));
        long final = server.Store.CurrentRevision;
        foreach (var c in clients)
        {
            await c.WaitForProgressAsync(final);
        }
        long compactedAtEnd = server.Store.CompactedRevision;
        foreach (var (client, request) in watchers)
        {
            var created = client.Created(request.WatchId);
            Assert.True(created is not null, $"seed {seed}: watcher {request.WatchId} never created");
            long from = request.StartRevision == 0 ? created.Header.Revision + 1 : request.StartRevision;
            history.Check($"seed {seed}, watcher {request.WatchId} ({request})", request, from, client.Responses(request.WatchId), compactedAtEnd);
        }
        foreach (var c in clients)
        {
            await c.Client.DisposeAsync();
        }
        output.WriteLine($"final revision {final}, compacted at {compactedAtEnd}");
    }
}
