using Cairn.Protocol.Etcdserverpb;
using Cairn.Protocol.Mvccpb;
using Cairn.Server.Concurrency;
using Cairn.Server.Errors;
using Cairn.Server.Tests.Grpc.Support;
using Cairn.Server.Tests.Server;
using Google.Protobuf;

namespace Cairn.Server.Tests.Concurrency;

/// <summary>
/// An in-process member with the lock and election recipes over it, and the few direct
/// operations the tests need (leases, reads, writes). Heartbeat 10 ms, election 100 ms: the
/// minimum lease TTL is 1 s, so expiry tests are short.
/// </summary>
internal sealed class RecipeMember : IAsyncDisposable
{
    /// <summary>How long any single step may take before a test calls it stuck.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly TestMember _member;

    private RecipeMember(TestMember member)
    {
        _member = member;
        Keys = new MemberKeySpace(member.Server);
        Locks = new LockRecipe(Keys);
        Elections = new ElectionRecipe(Keys);
    }

    public MemberServer Server => _member.Server;

    public MemberKeySpace Keys { get; }

    public LockRecipe Locks { get; }

    public ElectionRecipe Elections { get; }

    public static async Task<RecipeMember> StartAsync() =>
        new(await TestMember.StartAsync(null, "--heartbeat-interval", "10", "--election-timeout", "100"));

    public static ByteString Bytes(string text) => ByteString.CopyFromUtf8(text);

    /// <summary>A lease of <paramref name="ttl"/> seconds that nobody keeps alive.</summary>
    public Task<long> GrantAsync(long ttl = 600) => Keys.GrantAsync(ttl, CancellationToken.None);

    public async Task RevokeAsync(long lease)
    {
        var result = await Server.ProposeAsync(new InternalRaftRequest { LeaseRevoke = new LeaseRevokeRequest { ID = lease } }, CancellationToken.None);
        Assert.Null(result.Error);
    }

    public async Task<long> PutAsync(string key, string value)
    {
        var result = await Server.ProposeAsync(new InternalRaftRequest { Put = new PutRequest { Key = Bytes(key), Value = Bytes(value) } }, CancellationToken.None);
        Assert.Null(result.Error);
        return ((PutResponse)result.Response!).Header.Revision;
    }

    public async Task<KeyValue?> GetAsync(ByteString key)
    {
        var found = await Keys.RangeAsync(new RangeRequest { Key = key }, CancellationToken.None);
        return found.Kvs.Count == 0 ? null : found.Kvs[0];
    }

    /// <summary>Every key under <paramref name="prefix"/>, in creation order.</summary>
    public async Task<List<string>> KeysUnderAsync(string prefix)
    {
        var found = await Keys.RangeAsync(new RangeRequest
        {
            Key = Bytes(prefix),
            RangeEnd = ByteString.CopyFrom(RecipeKeys.PrefixEnd(Bytes(prefix).Span)),
            SortTarget = RangeRequest.Types.SortTarget.Create,
        }, CancellationToken.None);
        return [.. found.Kvs.Select(kv => kv.Key.ToStringUtf8())];
    }

    /// <summary>Waits until <paramref name="key"/> exists: a waiter has joined the queue.</summary>
    public Task WaitForKeyAsync(ByteString key) =>
        Eventually.HoldsAsync(() => Server.Kv.Range(new RangeRequest { Key = key }).Kvs.Count > 0, $"key {key.ToStringUtf8()} exists", Patience);

    /// <summary>Round trips through raft and a linearizable read: what was going to be woken by earlier writes has had its chance.</summary>
    public async Task BarrierAsync()
    {
        await PutAsync("barrier", "x");
        await Keys.RangeAsync(new RangeRequest { Key = Bytes("barrier") }, CancellationToken.None);
    }

    public static async Task<EtcdError> FailsAsync(Func<Task> call)
    {
        var e = await Assert.ThrowsAsync<EtcdException>(call);
        return e.Error;
    }

    public ValueTask DisposeAsync() => _member.DisposeAsync();
}
