using Cairn.Server.Errors;
using Cairn.Server.Lease;
using static Cairn.Server.Tests.Lease.LessorFixture;

namespace Cairn.Server.Tests.Lease;

/// <summary>The lessor's table: grants, revokes, keys, renewals and lookups (etcd's lessor_test.go cases and more).</summary>
public sealed class LessorTests
{
    [Fact]
    public void A_grant_below_the_minimum_ttl_gets_the_minimum_and_is_persisted()
    {
        var f = new LessorFixture(new LessorOptions { MinTtl = 2 });
        Assert.Equal(2, f.Lessor.Grant(1, 1));
        Assert.Equal(2, f.Lessor.Grant(2, -5));
        Assert.Equal(10, f.Lessor.Grant(3, 10));
        Assert.Equal([(1L, 2L), (2L, 2L), (3L, 10L)], f.Bucket.Records.Values.Select(r => (r.ID, r.TTL)).Order());
        Assert.True(f.Lessor.Exists(3));
        Assert.False(f.Lessor.Exists(4));
    }

    [Fact]
    public void Grants_fail_with_etcds_errors()
    {
        var f = new LessorFixture();
        f.Lessor.Grant(7, 10);
        Assert.Same(EtcdErrors.LeaseExists, Assert.Throws<EtcdException>(() => f.Lessor.Grant(7, 20)).Error);
        Assert.Same(EtcdErrors.LeaseNotFound, Assert.Throws<EtcdException>(() => f.Lessor.Grant(0, 10)).Error);
        Assert.Same(EtcdErrors.LeaseTtlTooLarge, Assert.Throws<EtcdException>(() => f.Lessor.Grant(8, Lessor.MaxLeaseTtl + 1)).Error);
        Assert.Equal(Lessor.MaxLeaseTtl, f.Lessor.Grant(9, Lessor.MaxLeaseTtl));
        Assert.Equal(10, f.Lessor.TimeToLive(7, false)!.GrantedTtl);
    }

    [Fact]
    public void Keys_attach_move_and_detach()
    {
        var f = new LessorFixture();
        f.Lessor.Grant(1, 10);
        f.Lessor.Grant(2, 10);
        f.Lessor.Attach(1, K("a"));
        f.Lessor.Attach(1, K("b"));
        Assert.Equal(1, f.Lessor.LeaseOf(K("a")));
        Assert.Equal(0, f.Lessor.LeaseOf(K("c")));

        f.Lessor.Detach(1, K("a"));
        f.Lessor.Attach(2, K("a"));
        Assert.Equal(2, f.Lessor.LeaseOf(K("a")));
        Assert.Equal([K("b")], f.Lessor.TimeToLive(1, withKeys: true)!.Keys);
        Assert.Equal([K("a")], f.Lessor.TimeToLive(2, withKeys: true)!.Keys);

        f.Lessor.Detach(2, K("a"));
        Assert.Equal(0, f.Lessor.LeaseOf(K("a")));
        Assert.Empty(f.Lessor.TimeToLive(2, withKeys: true)!.Keys);
    }

    [Fact]
    public void Attaching_to_a_lease_that_does_not_exist_is_ignored()
    {
        // The store attaches every key with a lease at restore; etcd logs and goes on for a lease that is gone.
        var f = new LessorFixture();
        f.Lessor.Attach(42, K("orphan"));
        Assert.Equal(0, f.Lessor.LeaseOf(K("orphan")));
    }

    [Fact]
    public void A_revoke_hands_the_keys_over_in_byte_order_then_forgets_the_lease()
    {
        var f = new LessorFixture();
        f.Lessor.Grant(1, 10);
        foreach (var key in new[] { "zeta", "alpha", "beta", "al" })
        {
            f.Lessor.Attach(1, K(key));
        }
        string[]? deleted = null;
        f.Lessor.Revoke(1, keys =>
        {
            deleted = [.. keys.Select(k => System.Text.Encoding.UTF8.GetString(k))];
            foreach (var key in keys)
            {
                f.Lessor.Detach(1, key);
            }
        });
        Assert.Equal(["al", "alpha", "beta", "zeta"], deleted!);
        Assert.False(f.Lessor.Exists(1));
        Assert.Null(f.Lessor.TimeToLive(1, false));
        Assert.Empty(f.Bucket.Records);
        Assert.Equal(0, f.Lessor.LeaseOf(K("alpha")));
        Assert.Same(EtcdErrors.LeaseNotFound, Assert.Throws<EtcdException>(() => f.Lessor.Revoke(1, _ => { })).Error);
    }

    [Fact]
    public void A_restarted_lessor_has_every_lease_with_its_ttl_and_checkpoint_but_no_keys_until_attached()
    {
        var f = new LessorFixture(new LessorOptions { MinTtl = 2, PersistCheckpoints = true });
        f.Lessor.Grant(1, 10);
        f.Lessor.Grant(2, 30);
        f.Lessor.Checkpoint(2, 12);
        f.Lessor.Attach(1, K("k"));
        // A record written with a smaller minimum (e.g. before the election timeout was raised).
        f.Bucket.Records[3] = new Protocol.Leasepb.Lease { ID = 3, TTL = 1 };

        var lessor = f.Reopen();
        Assert.Equal(3, lessor.Count);
        Assert.Equal(2, lessor.TimeToLive(3, false)!.GrantedTtl);
        Assert.Empty(lessor.TimeToLive(1, withKeys: true)!.Keys);
        lessor.Promote(TimeSpan.Zero);
        Assert.Equal(10, f.Remaining(1));
        Assert.Equal(12, f.Remaining(2));
    }

    [Fact]
    public async Task Renewing_restarts_the_full_ttl_and_returns_it()
    {
        var f = new LessorFixture();
        f.Lessor.Promote(TimeSpan.Zero);
        f.Lessor.Grant(1, 10);
        f.Advance(6);
        Assert.Equal(4, f.Remaining(1));
        var renewal = await f.Lessor.RenewAsync(1, CancellationToken.None);
        Assert.Equal(new LeaseRenewal(LeaseRenewalStatus.Renewed, 10), renewal);
        Assert.Equal(10, f.Remaining(1));
        f.Advance(9.5);
        Assert.Empty(f.Lessor.FindExpired(10));
    }

    [Fact]
    public async Task Renewing_an_unknown_lease_or_on_a_lessor_that_is_not_primary_fails()
    {
        var f = new LessorFixture();
        f.Lessor.Grant(1, 10);
        Assert.Equal(LeaseRenewal.NotPrimary, await f.Lessor.RenewAsync(1, CancellationToken.None));
        f.Lessor.Promote(TimeSpan.Zero);
        Assert.Equal(LeaseRenewal.NotFound, await f.Lessor.RenewAsync(2, CancellationToken.None));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Renewing_an_expired_lease_waits_until_it_is_revoked_or_the_lessor_demoted(bool revoked)
    {
        var f = new LessorFixture();
        f.Lessor.Promote(TimeSpan.Zero);
        f.Lessor.Grant(1, 5);
        f.Advance(6);
        var renewal = f.Lessor.RenewAsync(1, CancellationToken.None);
        Assert.False(renewal.IsCompleted);
        if (revoked)
        {
            f.Lessor.Revoke(1, _ => { });
        }
        else
        {
            f.Lessor.Demote();
        }
        Assert.Equal(revoked ? LeaseRenewal.NotFound : LeaseRenewal.NotPrimary, await renewal.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public void Time_to_live_truncates_seconds_and_leases_list_soonest_first()
    {
        var f = new LessorFixture();
        f.Lessor.Promote(TimeSpan.Zero);
        f.Lessor.Grant(1, 30);
        f.Lessor.Grant(2, 10);
        f.Lessor.Grant(3, 20);
        f.Advance(0.5);
        var status = f.Lessor.TimeToLive(2, false)!;
        Assert.Equal((9L, 10L), (status.RemainingSeconds, status.GrantedTtl));
        Assert.Equal([2L, 3L, 1L], f.Lessor.LeaseIdsByExpiry());
    }
}
