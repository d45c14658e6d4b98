using Cairn.Protocol.V3electionpb;
using Cairn.Server.Concurrency;
using Cairn.Server.Errors;
using Google.Protobuf;
using static Cairn.Server.Tests.Concurrency.RecipeMember;

namespace Cairn.Server.Tests.Concurrency;

/// <summary>The election recipe (etcd's Election service) on an in-process member.</summary>
public sealed class ElectionRecipeTests
{
    private static ByteString KeyOf(string name, long lease) => ByteString.CopyFrom(RecipeKeys.HolderKey(RecipeKeys.Prefix(Bytes(name).Span), lease));

    private static Task<CampaignResponse> Campaign(RecipeMember m, string name, long lease, string value, CancellationToken cancellationToken = default) =>
        m.Elections.CampaignAsync(Bytes(name), lease, Bytes(value), cancellationToken);

    private static async Task<string> LeaderValue(RecipeMember m, string name) =>
        (await m.Elections.LeaderAsync(Bytes(name), CancellationToken.None)).Kv.Value.ToStringUtf8();

    [Fact]
    public async Task An_uncontested_campaign_leads_at_once_with_its_leader_key()
    {
        await using var m = await StartAsync();
        long lease = await m.GrantAsync();

        var won = await Campaign(m, "e", lease, "alpha");

        Assert.Equal(new LeaderKey { Name = Bytes("e"), Key = KeyOf("e", lease), Rev = won.Header.Revision, Lease = lease }, won.Leader);
        var leader = await m.Elections.LeaderAsync(Bytes("e"), CancellationToken.None);
        Assert.Equal(won.Leader.Key, leader.Kv.Key);
        Assert.Equal("alpha", leader.Kv.Value.ToStringUtf8());
        Assert.Equal(lease, leader.Kv.Lease);
        Assert.Equal(won.Leader.Rev, leader.Kv.CreateRevision);
        Assert.Equal(m.Server.ClusterId, leader.Header.ClusterId);
    }

    [Fact]
    public async Task Without_campaigners_there_is_no_leader()
    {
        await using var m = await StartAsync();

        Assert.Same(ConcurrencyErrors.ElectionNoLeader, await FailsAsync(() => m.Elections.LeaderAsync(Bytes("nobody"), CancellationToken.None)));
    }

    [Fact]
    public async Task A_second_campaigner_leads_once_the_first_resigns()
    {
        await using var m = await StartAsync();
        long first = await m.GrantAsync(), second = await m.GrantAsync();
        var leading = await Campaign(m, "e", first, "one");
        var waiting = Campaign(m, "e", second, "two");
        await m.WaitForKeyAsync(KeyOf("e", second));
        await m.BarrierAsync();
        Assert.False(waiting.IsCompleted);
        Assert.Equal("one", await LeaderValue(m, "e"));

        var resigned = await m.Elections.ResignAsync(leading.Leader, CancellationToken.None);

        var won = await waiting.WaitAsync(Patience);
        Assert.Equal(KeyOf("e", second), won.Leader.Key);
        Assert.Equal("two", await LeaderValue(m, "e"));
        // The campaign answers with its own transaction's header, as etcd's does.
        Assert.True(won.Header.Revision < resigned.Header.Revision);
        Assert.Equal(won.Leader.Rev, won.Header.Revision);
    }

    [Fact]
    public async Task The_next_campaigner_leads_when_the_leaders_lease_expires()
    {
        await using var m = await StartAsync();
        long first = await m.GrantAsync(ttl: 1), second = await m.GrantAsync();
        await Campaign(m, "e", first, "one");

        var won = await Campaign(m, "e", second, "two").WaitAsync(Patience);

        Assert.Equal(KeyOf("e", second), won.Leader.Key);
        Assert.Equal("two", await LeaderValue(m, "e"));
    }

    [Fact]
    public async Task Proclaim_updates_the_leaders_value_only_while_its_key_stands()
    {
        await using var m = await StartAsync();
        long lease = await m.GrantAsync();
        var won = await Campaign(m, "p", lease, "v1");

        var proclaimed = await m.Elections.ProclaimAsync(won.Leader, Bytes("v2"), CancellationToken.None);
        Assert.Equal("v2", await LeaderValue(m, "p"));
        Assert.Equal(won.Header.Revision + 1, proclaimed.Header.Revision);

        var stale = won.Leader.Clone();
        stale.Rev++;
        Assert.Same(ConcurrencyErrors.ElectionNotLeader, await FailsAsync(() => m.Elections.ProclaimAsync(stale, Bytes("v3"), CancellationToken.None)));
        Assert.Same(ConcurrencyErrors.MissingLeaderKey, await FailsAsync(() => m.Elections.ProclaimAsync(null, Bytes("v3"), CancellationToken.None)));
        await m.Elections.ResignAsync(won.Leader, CancellationToken.None);
        Assert.Same(ConcurrencyErrors.ElectionNotLeader, await FailsAsync(() => m.Elections.ProclaimAsync(won.Leader, Bytes("v4"), CancellationToken.None)));
        Assert.Same(ConcurrencyErrors.ElectionNoLeader, await FailsAsync(() => m.Elections.LeaderAsync(Bytes("p"), CancellationToken.None)));
    }

    [Fact]
    public async Task Resigning_a_key_that_no_longer_leads_changes_nothing()
    {
        await using var m = await StartAsync();
        long first = await m.GrantAsync(), second = await m.GrantAsync();
        var old = await Campaign(m, "r", first, "one");
        await m.Elections.ResignAsync(old.Leader, CancellationToken.None);
        var now = await Campaign(m, "r", second, "two");
        long revision = m.Server.Store.CurrentRevision;

        var answer = await m.Elections.ResignAsync(old.Leader, CancellationToken.None);

        Assert.Equal(revision, answer.Header.Revision);
        Assert.Equal("two", await LeaderValue(m, "r"));
        Assert.Same(ConcurrencyErrors.MissingLeaderKey, await FailsAsync(() => m.Elections.ResignAsync(null, CancellationToken.None)));
        Assert.Equal(now.Leader.Key, (await m.Elections.LeaderAsync(Bytes("r"), CancellationToken.None)).Kv.Key);
    }

    [Fact]
    public async Task Campaigning_again_with_the_same_lease_keeps_the_place_and_proclaims_the_new_value()
    {
        await using var m = await StartAsync();
        long lease = await m.GrantAsync();
        var first = await Campaign(m, "a", lease, "old");

        var again = await Campaign(m, "a", lease, "new");

        Assert.Equal(first.Leader, again.Leader);
        Assert.Equal("new", await LeaderValue(m, "a"));
    }

    [Fact]
    public async Task A_cancelled_campaign_withdraws_its_key()
    {
        await using var m = await StartAsync();
        long first = await m.GrantAsync(), second = await m.GrantAsync();
        var leading = await Campaign(m, "c", first, "one");
        using var giveUp = new CancellationTokenSource();
        var waiting = Campaign(m, "c", second, "two", giveUp.Token);
        await m.WaitForKeyAsync(KeyOf("c", second));

        giveUp.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(Patience));
        Assert.Equal([leading.Leader.Key.ToStringUtf8()], await m.KeysUnderAsync("c/"));
    }

    [Fact]
    public async Task A_campaigner_whose_own_lease_goes_is_not_leader()
    {
        await using var m = await StartAsync();
        long first = await m.GrantAsync(), second = await m.GrantAsync();
        await Campaign(m, "g", first, "one");
        var waiting = Campaign(m, "g", second, "two");
        await m.WaitForKeyAsync(KeyOf("g", second));

        await m.RevokeAsync(second);

        Assert.Same(ConcurrencyErrors.ElectionNotLeader, await FailsAsync(() => waiting.WaitAsync(Patience)));
    }

    [Fact]
    public async Task Campaigning_with_an_unknown_lease_fails_as_etcd()
    {
        await using var m = await StartAsync();

        Assert.Same(EtcdErrors.LeaseNotFound, await FailsAsync(() => Campaign(m, "u", 777, "v")));
        Assert.Empty(await m.KeysUnderAsync("u/"));
    }

    [Fact]
    public async Task Observe_reports_the_leader_each_proclamation_and_each_next_leader()
    {
        await using var m = await StartAsync();
        using var stop = new CancellationTokenSource();
        await using var observed = m.Elections.ObserveAsync(Bytes("o"), stop.Token).GetAsyncEnumerator();
        var next = observed.MoveNextAsync().AsTask();
        await m.BarrierAsync();
        Assert.False(next.IsCompleted); // no leader yet: waits for the first campaigner

        long first = await m.GrantAsync(), second = await m.GrantAsync();
        var one = await Campaign(m, "o", first, "one");
        Assert.True(await next.WaitAsync(Patience));
        Assert.Equal(("one", one.Header.Revision), (observed.Current.Kv.Value.ToStringUtf8(), observed.Current.Header.Revision));

        var waiting = Campaign(m, "o", second, "two");
        await m.WaitForKeyAsync(KeyOf("o", second));
        var proclaimed = await m.Elections.ProclaimAsync(one.Leader, Bytes("one-b"), CancellationToken.None);
        Assert.True(await observed.MoveNextAsync().AsTask().WaitAsync(Patience));
        Assert.Equal(("one-b", proclaimed.Header.Revision), (observed.Current.Kv.Value.ToStringUtf8(), observed.Current.Header.Revision));

        await m.Elections.ResignAsync(one.Leader, CancellationToken.None);
        await waiting.WaitAsync(Patience);
        Assert.True(await observed.MoveNextAsync().AsTask().WaitAsync(Patience));
        Assert.Equal("two", observed.Current.Kv.Value.ToStringUtf8());
        Assert.Equal(KeyOf("o", second), observed.Current.Kv.Key);

        stop.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => observed.MoveNextAsync().AsTask().WaitAsync(Patience));
    }

    [Fact]
    public async Task Observe_starts_with_the_current_leader()
    {
        await using var m = await StartAsync();
        long lease = await m.GrantAsync();
        var won = await Campaign(m, "s", lease, "here");
        long revision = await m.PutAsync("elsewhere", "x");

        await using var observed = m.Elections.ObserveAsync(Bytes("s"), CancellationToken.None).GetAsyncEnumerator();

        Assert.True(await observed.MoveNextAsync().AsTask().WaitAsync(Patience));
        Assert.Equal(won.Leader.Key, observed.Current.Kv.Key);
        Assert.Equal("here", observed.Current.Kv.Value.ToStringUtf8());
        Assert.Equal(revision, observed.Current.Header.Revision);
    }
}
