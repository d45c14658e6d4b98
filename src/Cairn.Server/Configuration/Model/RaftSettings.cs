namespace Cairn.Server.Configuration.Model;

/// <summary>Raft timing and behaviour.</summary>
/// <param name="HeartbeatInterval">--heartbeat-interval: one raft tick.</param>
/// <param name="ElectionTimeout">--election-timeout.</param>
/// <param name="InitialElectionTickAdvance">--initial-election-tick-advance.</param>
/// <param name="PreVote">--pre-vote.</param>
/// <param name="StrictReconfigCheck">--strict-reconfig-check.</param>
public sealed record RaftSettings(
    TimeSpan HeartbeatInterval,
    TimeSpan ElectionTimeout,
    bool InitialElectionTickAdvance,
    bool PreVote,
    bool StrictReconfigCheck)
{
    /// <summary>Election timeout in ticks, as etcd computes it (integer division).</summary>
    public int ElectionTicks => (int)(ElectionTimeout.Ticks / HeartbeatInterval.Ticks);
}
