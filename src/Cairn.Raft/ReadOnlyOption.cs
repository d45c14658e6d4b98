namespace Cairn.Raft;

/// <summary>How a leader confirms it is still the leader before answering a ReadIndex request.</summary>
public enum ReadOnlyOption
{
    /// <summary>A heartbeat round acknowledged by a quorum confirms leadership (linearizable).</summary>
    Safe = 0,

    /// <summary>
    /// The leader trusts its lease (CheckQuorum must be on) and answers from its commit index at
    /// once. Cheaper, but not linearizable in every case, as in etcd: a partitioned leader steps
    /// down only at the first quorum check that heard nobody since the previous one, up to two
    /// election timeouts after it last heard a quorum, while followers elect a new leader after
    /// one (at once on a leadership transfer), so for a while the old leader answers stale reads
    /// even with synchronous clocks, and longer with clock drift.
    /// </summary>
    LeaseBased = 1,
}
