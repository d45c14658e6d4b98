using Cairn.Server.Lease;

namespace Cairn.Server.Tests.Lease;

/// <summary>Who decides expiry and when: promote, demote, the expiry queue, the retry interval and the pile-up spreading.</summary>
public sealed class LessorExpiryTests
{
    [Fact]
    public void Leases_never_expire_on_a_lessor_that_is_not_primary()
    {
        var f = new LessorFixture();
        f.Lessor.Grant(1, 5);
        f.Advance(3600);
        Assert.False(f.Lessor.IsPrimary);
        Assert.Empty(f.Lessor.FindExpired(100));
        // etcd's "forever": MaxInt64 nanoseconds.
        Assert.Equal(9223372036, f.Remaining(1));
    }

    [Fact]
    public void Promotion_gives_every_lease_its_ttl_plus_the_extension_from_now()
    {
        var f = new LessorFixture();
        f.Lessor.Grant(1, 10);
        f.Advance(100);
        f.Lessor.Promote(TimeSpan.FromSeconds(1));
        Assert.Equal(11, f.Remaining(1));
        f.Advance(10.9);
        Assert.Empty(f.Lessor.FindExpired(100));
        f.Advance(0.1);
        Assert.Equal([1L], f.Lessor.FindExpired(100));
    }

    [Fact]
    public void A_lease_granted_on_the_primary_expires_after_its_ttl()
    {
        var f = new LessorFixture();
        f.Lessor.Promote(TimeSpan.FromSeconds(1));
        f.Lessor.Grant(1, 3);
        f.Lessor.Grant(2, 5);
        f.Advance(3);
        Assert.Equal([1L], f.Lessor.FindExpired(100));
        f.Advance(2);
        Assert.Equal([2L], f.Lessor.FindExpired(100));
    }

    [Fact]
    public void Expired_leases_are_handed_out_up_to_the_limit_and_not_again_before_the_retry_interval()
    {
        var f = new LessorFixture(new LessorOptions { MinTtl = 1, ExpiredLeaseRetryInterval = TimeSpan.FromSeconds(7) });
        f.Lessor.Promote(TimeSpan.Zero);
        for (long id = 1; id <= 25; id++)
        {
            f.Lessor.Grant(id, 5);
        }
        f.Advance(5);
        var first = f.Lessor.FindExpired(10);
        var second = f.Lessor.FindExpired(10);
        var third = f.Lessor.FindExpired(10);
        Assert.Equal(10, first.Count);
        Assert.Equal(10, second.Count);
        Assert.Equal(5, third.Count);
        Assert.Equal(25, first.Concat(second).Concat(third).Distinct().Count());
        Assert.Empty(f.Lessor.FindExpired(10));

        // Revokes of a few went through; the others (a lost proposal) come back after the retry interval.
        foreach (long id in first)
        {
            f.Lessor.Revoke(id, _ => { });
        }
        f.Advance(6.9);
        Assert.Empty(f.Lessor.FindExpired(100));
        f.Advance(0.1);
        Assert.Equal(second.Concat(third).Order(), f.Lessor.FindExpired(100).Order());
    }

    [Fact]
    public async Task A_renewed_lease_is_not_handed_out()
    {
        var f = new LessorFixture();
        f.Lessor.Promote(TimeSpan.Zero);
        f.Lessor.Grant(1, 5);
        f.Lessor.Grant(2, 5);
        f.Advance(4);
        await f.Lessor.RenewAsync(1, CancellationToken.None);
        f.Advance(1);
        Assert.Equal([2L], f.Lessor.FindExpired(100));
        f.Lessor.Revoke(2, _ => { });
        f.Advance(3.9);
        Assert.Empty(f.Lessor.FindExpired(100));
        f.Advance(0.1);
        Assert.Equal([1L], f.Lessor.FindExpired(100));
    }

    [Fact]
    public void Demotion_stops_expiry_and_a_new_promotion_restarts_the_clocks()
    {
        var f = new LessorFixture();
        f.Lessor.Promote(TimeSpan.Zero);
        f.Lessor.Grant(1, 5);
        f.Advance(4);
        f.Lessor.Demote();
        f.Advance(10);
        Assert.False(f.Lessor.IsPrimary);
        Assert.Empty(f.Lessor.FindExpired(100));
        Assert.Equal(9223372036, f.Remaining(1));

        f.Lessor.Promote(TimeSpan.FromSeconds(2));
        Assert.Equal(7, f.Remaining(1));
        f.Advance(7);
        Assert.Equal([1L], f.Lessor.FindExpired(100));
    }

    [Fact]
    public void Promotion_spreads_leases_that_would_expire_in_the_same_second()
    {
        // etcd's TestLessorRenewExtendPileup: with a revoke rate of 10, 100 leases of 10 s and 100 of 11 s.
        const int rate = 10;
        var f = new LessorFixture(new LessorOptions { MinTtl = 1, RevokeRate = rate });
        for (long i = 1; i <= rate * 10; i++)
        {
            f.Lessor.Grant(2 * i, 10);
            f.Lessor.Grant(2 * i + 1, 11);
        }
        var lessor = f.Reopen();
        lessor.Promote(TimeSpan.Zero);

        var windows = new Dictionary<long, int>();
        for (long i = 1; i <= rate * 10; i++)
        {
            foreach (long id in new[] { 2 * i, 2 * i + 1 })
            {
                long second = f.Remaining(id);
                windows[second] = windows.GetValueOrDefault(second) + 1;
            }
        }
        for (long second = 10; second < 30; second++)
        {
            int count = windows.GetValueOrDefault(second);
            Assert.True(count <= rate, $"{count} leases expire at {second}s, more than {rate}");
            Assert.True(count >= rate / 2, $"{count} leases expire at {second}s, fewer than {rate / 2}");
        }
    }

    [Fact]
    public void Few_leases_are_not_spread()
    {
        var f = new LessorFixture(new LessorOptions { MinTtl = 1, RevokeRate = 1000 });
        for (long id = 1; id <= 999; id++)
        {
            f.Lessor.Grant(id, 10);
        }
        f.Lessor.Promote(TimeSpan.FromSeconds(1));
        Assert.All(Enumerable.Range(1, 999), id => Assert.Equal(11, f.Remaining(id)));
    }
}
