using Cairn.Protocol.Etcdserverpb;
using Cairn.Server.Lease;

namespace Cairn.Server.Tests.Lease;

/// <summary>Checkpointing: long leases record their remaining TTL through raft so that a promotion does not reset them.</summary>
public sealed class LessorCheckpointTests
{
    private static (LessorFixture Fixture, List<LeaseCheckpointRequest> Proposed) WithCheckpointer(bool persist = false)
    {
        var fixture = new LessorFixture(new LessorOptions { MinTtl = 1, CheckpointInterval = TimeSpan.FromSeconds(5), PersistCheckpoints = persist });
        var proposed = new List<LeaseCheckpointRequest>();
        fixture.Lessor.Checkpointer = (request, _) =>
        {
            proposed.Add(request);
            // What applying the entry does on every member.
            foreach (var c in request.Checkpoints)
            {
                fixture.Lessor.Checkpoint(c.ID, c.RemainingTTL);
            }
            return Task.CompletedTask;
        };
        return (fixture, proposed);
    }

    [Fact]
    public void Leases_longer_than_the_interval_are_checkpointed_with_their_remaining_ttl_rounded_up()
    {
        var (f, _) = WithCheckpointer();
        f.Lessor.Promote(TimeSpan.Zero);
        f.Lessor.Grant(1, 100);
        f.Lessor.Grant(2, 5); // not longer than the interval: never checkpointed
        f.Advance(4.5);
        Assert.Empty(f.Lessor.FindDueCheckpoints(10));
        f.Advance(0.6);
        var due = Assert.Single(f.Lessor.FindDueCheckpoints(10));
        Assert.Equal((1L, 95L), (due.ID, due.RemainingTTL));
        Assert.Empty(f.Lessor.FindDueCheckpoints(10));
    }

    [Fact]
    public void A_checkpoint_schedules_the_next_one_and_a_promotion_counts_from_it()
    {
        var (f, _) = WithCheckpointer();
        f.Lessor.Promote(TimeSpan.Zero);
        f.Lessor.Grant(1, 100);
        for (int round = 1; round <= 3; round++)
        {
            f.Advance(5);
            var due = Assert.Single(f.Lessor.FindDueCheckpoints(10));
            Assert.Equal(100 - 5 * round, due.RemainingTTL);
            f.Lessor.Checkpoint(due.ID, due.RemainingTTL);
        }
        // A leader change: the new primary counts from the checkpoint, not from the full TTL.
        f.Lessor.Demote();
        f.Lessor.Promote(TimeSpan.FromSeconds(1));
        Assert.Equal(86, f.Remaining(1));
    }

    [Fact]
    public async Task Renewing_a_checkpointed_lease_clears_the_checkpoint_through_raft_first()
    {
        var (f, proposed) = WithCheckpointer();
        f.Lessor.Promote(TimeSpan.Zero);
        f.Lessor.Grant(1, 100);
        await f.Lessor.RenewAsync(1, CancellationToken.None);
        Assert.Empty(proposed);

        f.Lessor.Checkpoint(1, 40);
        var renewal = await f.Lessor.RenewAsync(1, CancellationToken.None);
        var clear = Assert.Single(Assert.Single(proposed).Checkpoints);
        Assert.Equal((1L, 0L), (clear.ID, clear.RemainingTTL));
        Assert.Equal(100, renewal.Ttl);
        Assert.Equal(100, f.Remaining(1));
    }

    [Fact]
    public void Checkpoints_survive_a_restart_only_when_persisted()
    {
        foreach (bool persist in new[] { false, true })
        {
            var (f, _) = WithCheckpointer(persist);
            f.Lessor.Grant(1, 100);
            f.Lessor.Checkpoint(1, 30);
            f.Reopen().Promote(TimeSpan.Zero);
            Assert.Equal(persist ? 30 : 100, f.Remaining(1));
        }
    }

    [Fact]
    public void Without_a_checkpointer_nothing_is_due()
    {
        var f = new LessorFixture(new LessorOptions { MinTtl = 1, CheckpointInterval = TimeSpan.FromSeconds(5) });
        f.Lessor.Promote(TimeSpan.Zero);
        f.Lessor.Grant(1, 100);
        f.Advance(50);
        Assert.Empty(f.Lessor.FindDueCheckpoints(10));
    }

    [Fact]
    public void Checkpoints_stop_on_demotion()
    {
        var (f, _) = WithCheckpointer();
        f.Lessor.Promote(TimeSpan.Zero);
        f.Lessor.Grant(1, 100);
        f.Lessor.Demote();
        f.Advance(10);
        Assert.Empty(f.Lessor.FindDueCheckpoints(10));
    }
}
