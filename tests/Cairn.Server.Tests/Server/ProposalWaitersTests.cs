using Cairn.Server.Proposals;

namespace Cairn.Server.Tests.Server;

public sealed class ProposalWaitersTests
{
    [Fact]
    public async Task ExpireFailsOnlyTheWaitersWhoseDeadlinePassed()
    {
        var waiters = new ProposalWaiters<string>();
        var early = waiters.Register(1, deadline: 100);
        var late = waiters.Register(2, deadline: 200);
        var forever = waiters.Register(3);

        Assert.Equal(1, waiters.Expire(150, () => new TimeoutException("late")));

        Assert.Equal("late", (await Assert.ThrowsAsync<TimeoutException>(() => early)).Message);
        Assert.False(late.IsCompleted);
        waiters.Complete(2, "applied");
        Assert.Equal("applied", await late);
        Assert.Equal(0, waiters.Expire(long.MaxValue - 1, () => new TimeoutException()));
        Assert.False(forever.IsCompleted);
        Assert.Equal(1, waiters.Count);
    }

    [Fact]
    public async Task AResultAfterExpiryOrFailureIsDropped()
    {
        var waiters = new ProposalWaiters<string>();
        var waiting = waiters.Register(7, deadline: 10);
        waiters.Fail(7, new OperationCanceledException("caller gave up"));
        waiters.Complete(7, "too late");
        await Assert.ThrowsAsync<OperationCanceledException>(() => waiting);
        Assert.Equal(0, waiters.Count);
    }
}
