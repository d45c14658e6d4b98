using Cairn.Protocol.Etcdserverpb;
using Cairn.Protocol.Mvccpb;
using Cairn.Server.Mvcc;
using Cairn.Server.Watch;
using Google.Protobuf;

namespace Cairn.Server.Tests.Watch;

/// <summary>
/// A watch hub on an MVCC store over the in-memory backend. The test thread plays the apply loop:
/// it is the only one to write and compact.
/// </summary>
internal sealed class WatchHarness : IAsyncDisposable
{
    public const ulong ClusterId = 0x1111;
    public const ulong MemberId = 0x2222;
    public const ulong Term = 7;

    private readonly List<TestWatchClient> _clients = [];

    /// <param name="term">The raft term for response headers (asked under the hub's lock each time a header is made); <see cref="Term"/> by default.</param>
    public WatchHarness(WatchOptions? options = null, Func<ulong>? term = null)
    {
        Backend = new InMemoryRevisionBackend();
        Store = new MvccStore(Backend, options: new MvccStoreOptions { CompactionBatchInterval = TimeSpan.Zero });
        Hub = new WatchHub(Store, Backend, new WatchResponseHeaders(ClusterId, MemberId, term ?? (() => Term)), options);
        Store.Observer = Hub;
    }

    public InMemoryRevisionBackend Backend { get; }

    public MvccStore Store { get; }

    public WatchHub Hub { get; }

    public long Put(string key, string value, long lease = 0)
    {
        using var txn = Store.Write();
        return txn.Put(ByteString.CopyFromUtf8(key), ByteString.CopyFromUtf8(value), lease);
    }

    public long Delete(string key, string? end = null)
    {
        using var txn = Store.Write();
        var range = end is null ? KeyRange.Single(Bytes(key)) : KeyRange.Between(Bytes(key), Bytes(end));
        return txn.DeleteRange(range).Revision;
    }

    /// <summary>Several changes in one revision.</summary>
    public long Txn(params (string Key, string? Value)[] changes)
    {
        using var txn = Store.Write();
        foreach (var (key, value) in changes)
        {
            if (value is null)
            {
                txn.DeleteRange(KeyRange.Single(Bytes(key)));
            }
            else
            {
                txn.Put(ByteString.CopyFromUtf8(key), ByteString.CopyFromUtf8(value), 0);
            }
        }
        return Store.CurrentRevision + 1;
    }

    public async Task CompactAsync(long revision)
    {
        var outcome = Store.Compact(revision);
        Assert.Null(outcome.Error);
        await outcome.Physical.WaitAsync(TimeSpan.FromSeconds(30));
    }

    public TestWatchClient Connect()
    {
        var client = new TestWatchClient(Hub);
        _clients.Add(client);
        return client;
    }

    public static byte[] Bytes(string s) => System.Text.Encoding.UTF8.GetBytes(s);

    public static WatchCreateRequest Request(string key, string? end = null, long start = 0, long id = 0, bool prevKv = false,
        bool progressNotify = false, bool fragment = false, params WatchCreateRequest.Types.FilterType[] filters)
    {
        var request = new WatchCreateRequest
        {
            Key = ByteString.CopyFromUtf8(key),
            StartRevision = start,
            WatchId = id,
            PrevKv = prevKv,
            ProgressNotify = progressNotify,
            Fragment = fragment,
        };
        if (end is not null)
        {
            request.RangeEnd = end == "\0" ? ByteString.CopyFrom(0) : ByteString.CopyFromUtf8(end);
        }
        request.Filters.AddRange(filters);
        return request;
    }

    /// <summary>etcd's prefix end: the key with its last byte incremented.</summary>
    public static string PrefixEnd(string prefix) => prefix[..^1] + (char)(prefix[^1] + 1);

    public static string Describe(Event e) =>
        $"{e.Type.ToString().ToUpperInvariant()} {e.Kv.Key.ToStringUtf8()}@{e.Kv.ModRevision}" + (e.Type == Event.Types.EventType.Put ? $"={e.Kv.Value.ToStringUtf8()}" : "");

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
        {
            await client.DisposeAsync();
        }
        await Hub.DisposeAsync();
        Store.Dispose();
    }
}
