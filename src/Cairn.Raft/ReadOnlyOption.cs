namespace Cairn.Raft;

/// <summary>How a leader confirms it is still the leader before answering a ReadIndex request.</summary>
public enum ReadOnlyOption
{
    /// <summary>A heartbeat round acknowledged by a quorum confirms leadership (linearizable).</summary>
    Safe = 0,

    /// <summary>
    /// The leader trusts its lease (CheckQuorum must be on). Cheaper, but relies on bounded clock
    /// drift between members.
    /// </summary>
    LeaseBased = 1,
}
