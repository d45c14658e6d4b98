using Cairn.Protocol.V3lockpb;
using Cairn.Server.Concurrency;
using Cairn.Server.Errors;
using Google.Protobuf;
using static Cairn.Server.Tests.Concurrency.RecipeMember;

namespace Cairn.Server.Tests.Concurrency;

/// <summary>The mutex recipe (etcd's Lock service) on an in-process member.</summary>
public sealed class LockRecipeTests
{
    private static ByteString KeyOf(string name, long lease) => ByteString.CopyFrom(RecipeKeys.HolderKey(RecipeKeys.Prefix(Bytes(name).Span), lease));

    private static Task<LockResponse> Lock(RecipeMember m, string name, long lease, CancellationToken cancellationToken = default) =>
        m.Locks.LockAsync(Bytes(name), lease, cancellationToken);

    [Fact]
    public async Task A_free_lock_is_taken_at_once_under_the_name_and_the_lease_in_hex()
    {
        await using var m = await StartAsync();
        long lease = await m.GrantAsync();

        var held = await Lock(m, "jobs", lease);

        Assert.Equal($"jobs/{lease:x}", held.Key.ToStringUtf8());
        var kv = await m.GetAsync(held.Key);
        Assert.NotNull(kv);
        Assert.Equal(lease, kv.Lease);
        Assert.True(kv.Value.IsEmpty);
        Assert.Equal(kv.CreateRevision, held.Header.Revision);
        Assert.Equal(m.Server.ClusterId, held.Header.ClusterId);
        Assert.Equal(m.Server.Id, held.Header.MemberId);
        Assert.True(held.Header.RaftTerm > 0);
    }

    [Fact]
    public async Task Locking_again_with_the_same_lease_keeps_the_hold_without_a_write()
    {
        await using var m = await StartAsync();
        long lease = await m.GrantAsync();
        var first = await Lock(m, "jobs", lease);

        var again = await Lock(m, "jobs", lease);

        Assert.Equal(first.Key, again.Key);
        Assert.Equal(first.Header.Revision, again.Header.Revision);
        Assert.Equal(first.Header.Revision, (await m.GetAsync(first.Key))!.ModRevision);
    }

    [Fact]
    public async Task Waiters_get_the_lock_one_at_a_time_in_the_order_they_joined()
    {
        await using var m = await StartAsync();
        long holder = await m.GrantAsync();
        var held = await Lock(m, "q", holder);
        var waiters = new List<(long Lease, Task<LockResponse> Lock)>();
        for (int i = 0; i < 3; i++)
        {
            long lease = await m.GrantAsync();
            waiters.Add((lease, Lock(m, "q", lease)));
            await m.WaitForKeyAsync(KeyOf("q", lease)); // joined: the next one comes after it
        }
        await m.BarrierAsync();
        Assert.All(waiters, w => Assert.False(w.Lock.IsCompleted));

        var previous = held.Key;
        for (int i = 0; i < waiters.Count; i++)
        {
            await m.Locks.UnlockAsync(previous, CancellationToken.None);
            var got = await waiters[i].Lock.WaitAsync(Patience);
            Assert.Equal(KeyOf("q", waiters[i].Lease), got.Key);
            await m.BarrierAsync();
            Assert.All(waiters.Skip(i + 1), w => Assert.False(w.Lock.IsCompleted));
            Assert.Equal(got.Key.ToStringUtf8(), (await m.KeysUnderAsync("q/"))[0]);
            previous = got.Key;
        }
    }

    [Fact]
    public async Task Concurrent_lockers_never_hold_the_lock_together()
    {
        await using var m = await StartAsync();
        const int Workers = 4, Rounds = 3;
        int inside = 0, most = 0, entries = 0;
        var leases = new long[Workers];
        for (int i = 0; i < Workers; i++)
        {
            leases[i] = await m.GrantAsync();
        }

        async Task Work(long lease)
        {
            for (int round = 0; round < Rounds; round++)
            {
                var held = await Lock(m, "mutex", lease);
                int now = Interlocked.Increment(ref inside);
                InterlockedMax(ref most, now);
                Interlocked.Increment(ref entries);
                // Some raft round trips while holding it, so that others have time to barge in.
                await m.PutAsync("guarded", $"{lease:x}/{round}");
                Assert.Equal($"{lease:x}/{round}", (await m.GetAsync(Bytes("guarded")))!.Value.ToStringUtf8());
                Interlocked.Decrement(ref inside);
                await m.Locks.UnlockAsync(held.Key, CancellationToken.None);
            }
        }

        await Task.WhenAll(leases.Select(l => Task.Run(() => Work(l)))).WaitAsync(TimeSpan.FromMinutes(1));

        Assert.Equal(1, most);
        Assert.Equal(Workers * Rounds, entries);
        Assert.Empty(await m.KeysUnderAsync("mutex/"));
    }

    [Fact]
    public async Task A_waiter_takes_over_when_the_holders_lease_is_revoked()
    {
        await using var m = await StartAsync();
        long holder = await m.GrantAsync(), waiter = await m.GrantAsync();
        await Lock(m, "r", holder);
        var waiting = Lock(m, "r", waiter);
        await m.WaitForKeyAsync(KeyOf("r", waiter));

        await m.RevokeAsync(holder);

        var got = await waiting.WaitAsync(Patience);
        Assert.Equal(KeyOf("r", waiter), got.Key);
        Assert.Equal([got.Key.ToStringUtf8()], await m.KeysUnderAsync("r/"));
    }

    [Fact]
    public async Task A_waiter_takes_over_when_the_holders_lease_expires()
    {
        await using var m = await StartAsync();
        long holder = await m.GrantAsync(ttl: 1), waiter = await m.GrantAsync();
        await Lock(m, "x", holder);
        var waiting = Lock(m, "x", waiter);

        var got = await waiting.WaitAsync(Patience);

        Assert.Equal(KeyOf("x", waiter), got.Key);
        Assert.False(m.Server.Lessor.Exists(holder));
        Assert.Equal([got.Key.ToStringUtf8()], await m.KeysUnderAsync("x/"));
    }

    [Fact]
    public async Task A_cancelled_waiter_leaves_no_key_and_the_one_behind_it_still_gets_the_lock()
    {
        await using var m = await StartAsync();
        long holder = await m.GrantAsync(), quitter = await m.GrantAsync(), patient = await m.GrantAsync();
        var held = await Lock(m, "c", holder);
        using var giveUp = new CancellationTokenSource();
        var quitting = Lock(m, "c", quitter, giveUp.Token);
        await m.WaitForKeyAsync(KeyOf("c", quitter));
        var waiting = Lock(m, "c", patient);
        await m.WaitForKeyAsync(KeyOf("c", patient));

        giveUp.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => quitting.WaitAsync(Patience));
        Assert.Equal([held.Key.ToStringUtf8(), KeyOf("c", patient).ToStringUtf8()], await m.KeysUnderAsync("c/"));
        Assert.False(waiting.IsCompleted);
        await m.Locks.UnlockAsync(held.Key, CancellationToken.None);
        Assert.Equal(KeyOf("c", patient), (await waiting.WaitAsync(Patience)).Key);
    }

    [Fact]
    public async Task A_waiter_whose_own_lease_goes_stops_waiting_with_etcd_3_5s_session_expired()
    {
        await using var m = await StartAsync();
        long holder = await m.GrantAsync(), waiter = await m.GrantAsync();
        var held = await Lock(m, "s", holder);
        var waiting = Lock(m, "s", waiter);
        await m.WaitForKeyAsync(KeyOf("s", waiter));

        await m.RevokeAsync(waiter);

        var error = await FailsAsync(() => waiting.WaitAsync(Patience));
        Assert.Same(ConcurrencyErrors.MutexSessionExpired, error);
        Assert.Equal([held.Key.ToStringUtf8()], await m.KeysUnderAsync("s/"));
    }

    [Fact]
    public async Task Locking_with_an_unknown_lease_fails_as_etcd_and_leaves_nothing()
    {
        await using var m = await StartAsync();

        var error = await FailsAsync(() => Lock(m, "u", 12345));

        Assert.Same(EtcdErrors.LeaseNotFound, error);
        Assert.Empty(await m.KeysUnderAsync("u/"));
    }

    [Fact]
    public async Task Locking_without_a_lease_grants_a_sixty_second_one_as_etcds_session()
    {
        await using var m = await StartAsync();

        var held = await Lock(m, "z", 0);

        long lease = (await m.GetAsync(held.Key))!.Lease;
        Assert.Equal($"z/{lease:x}", held.Key.ToStringUtf8());
        var status = m.Server.Lessor.TimeToLive(lease, withKeys: true);
        Assert.NotNull(status);
        Assert.Equal(MemberKeySpace.DefaultSessionTtl, status.GrantedTtl);
    }

    [Fact]
    public async Task Unlock_deletes_the_key_and_answers_with_the_deletes_header()
    {
        await using var m = await StartAsync();
        var held = await Lock(m, "d", await m.GrantAsync());

        var released = await m.Locks.UnlockAsync(held.Key, CancellationToken.None);

        Assert.Null(await m.GetAsync(held.Key));
        Assert.Equal(held.Header.Revision + 1, released.Header.Revision);
        // A key that is not there: nothing deleted, the current revision.
        Assert.Equal(released.Header.Revision, (await m.Locks.UnlockAsync(held.Key, CancellationToken.None)).Header.Revision);
        Assert.Same(EtcdErrors.EmptyKey, await FailsAsync(() => m.Locks.UnlockAsync(ByteString.Empty, CancellationToken.None)));
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }
}
