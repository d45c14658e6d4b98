using Cairn.Protocol.Etcdserverpb;
using Cairn.Server.Lease;
using Cairn.Server.Tests.Logging;

namespace Cairn.Server.Tests.Lease;

/// <summary>The primary's revoke and checkpoint rounds: etcd's rate limits and bounds on what is in flight.</summary>
public sealed class LeaseExpiryLoopTests
{
    /// <summary>A revoke that waits for the test to let it through, counting how many run at once.</summary>
    private sealed class GatedRevokes
    {
        private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _running;

        public List<long> Revoked { get; } = [];

        public int MostAtOnce { get; private set; }

        public int Started { get; private set; }

        public async Task RevokeAsync(long id, CancellationToken cancellationToken)
        {
            lock (Revoked)
            {
                Started++;
                MostAtOnce = Math.Max(MostAtOnce, ++_running);
            }
            await _open.Task.WaitAsync(cancellationToken);
            lock (Revoked)
            {
                _running--;
                Revoked.Add(id);
            }
        }

        public void Open() => _open.TrySetResult();
    }

    private static LessorFixture ExpiredLeases(int count, int revokeRate)
    {
        var f = new LessorFixture(new LessorOptions { MinTtl = 1, RevokeRate = revokeRate });
        f.Lessor.Promote(TimeSpan.Zero);
        for (long id = 1; id <= count; id++)
        {
            f.Lessor.Grant(id, 5);
        }
        f.Advance(5);
        return f;
    }

    [Fact]
    public async Task A_round_takes_half_the_revoke_rate_and_runs_at_most_16_revokes_at_once()
    {
        var f = ExpiredLeases(1200, revokeRate: 1000);
        var revokes = new GatedRevokes();
        using var log = CapturedLogger.Zap();
        var loop = new LeaseExpiryLoop(f.Lessor, revokes.RevokeAsync, log.Logger);

        var round = loop.RevokeExpired(CancellationToken.None);
        Assert.NotNull(round);
        await Grpc.Support.Eventually.HoldsAsync(() => revokes.Started == 16, "16 revokes started");
        Assert.Equal(16, revokes.Started);
        revokes.Open();
        await round.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(500, revokes.Revoked.Count);
        Assert.Equal(16, revokes.MostAtOnce);
        Assert.Equal(500, loop.Revoked);
    }

    [Fact]
    public async Task No_more_than_16_rounds_are_outstanding_and_a_refused_round_leaves_its_leases_due()
    {
        var f = ExpiredLeases(200, revokeRate: 20);
        var revokes = new GatedRevokes();
        using var log = CapturedLogger.Zap();
        var loop = new LeaseExpiryLoop(f.Lessor, revokes.RevokeAsync, log.Logger);

        var rounds = Enumerable.Range(0, 16).Select(_ => loop.RevokeExpired(CancellationToken.None)).ToList();
        Assert.All(rounds, Assert.NotNull);
        Assert.Null(loop.RevokeExpired(CancellationToken.None));

        revokes.Open();
        await Task.WhenAll(rounds.Select(r => r!)).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(160, revokes.Revoked.Count);
        foreach (long id in revokes.Revoked)
        {
            f.Lessor.Revoke(id, _ => { });
        }
        var last = loop.RevokeExpired(CancellationToken.None);
        Assert.NotNull(last);
        await last.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(170, revokes.Revoked.Distinct().Count());
    }

    [Fact]
    public async Task A_failed_revoke_is_logged_and_the_others_go_on()
    {
        var f = ExpiredLeases(3, revokeRate: 1000);
        using var log = CapturedLogger.Zap();
        var loop = new LeaseExpiryLoop(f.Lessor, (id, _) => id == 2 ? Task.FromException(new InvalidOperationException("etcdserver: request timed out")) : Task.CompletedTask, log.Logger);
        await loop.RevokeExpired(CancellationToken.None)!.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(2, loop.Revoked);
        var line = Assert.Single(log.StderrLines, l => l.Contains("failed to revoke lease", StringComparison.Ordinal));
        Assert.Contains("\"lease-id\":\"0000000000000002\"", line);
        Assert.Contains("\"error\":\"etcdserver: request timed out\"", line);
    }

    [Fact]
    public async Task Due_checkpoints_are_proposed_in_batches_of_the_maximum_size()
    {
        var f = new LessorFixture(new LessorOptions { MinTtl = 1, CheckpointInterval = TimeSpan.FromSeconds(5), MaxCheckpointBatch = 1000 });
        var proposed = new List<int>();
        f.Lessor.Checkpointer = (request, _) =>
        {
            proposed.Add(request.Checkpoints.Count);
            return Task.CompletedTask;
        };
        f.Lessor.Promote(TimeSpan.Zero);
        for (long id = 1; id <= 2500; id++)
        {
            f.Lessor.Grant(id, 600);
        }
        f.Advance(5);
        using var log = CapturedLogger.Zap();
        var loop = new LeaseExpiryLoop(f.Lessor, (_, _) => Task.CompletedTask, log.Logger);
        await loop.CheckpointDueAsync(CancellationToken.None);
        Assert.Equal([1000, 1000, 500], proposed);
    }

    [Fact]
    public async Task The_loop_revokes_what_expires_until_stopped()
    {
        var lessor = new Lessor(new MemoryLeaseBucket(), new LessorOptions { MinTtl = 1 });
        lessor.Promote(TimeSpan.Zero);
        lessor.Grant(1, 1);
        using var log = CapturedLogger.Zap();
        var revoked = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        var loop = new LeaseExpiryLoop(lessor, (id, _) =>
        {
            revoked.TrySetResult(id);
            return Task.CompletedTask;
        }, log.Logger);
        using var stop = new CancellationTokenSource();
        var running = loop.RunAsync(stop.Token);
        Assert.Equal(1, await revoked.Task.WaitAsync(TimeSpan.FromSeconds(30)));
        stop.Cancel();
        await running.WaitAsync(TimeSpan.FromSeconds(30));
    }
}
