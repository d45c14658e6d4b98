namespace Cairn.Raft;

/// <summary>What became of a proposal, a conf change proposal or a ReadIndex request.</summary>
public enum ProposalStatus
{
    /// <summary>This member leads and took the request (appended to its log, or queued the read).</summary>
    Accepted,

    /// <summary>Sent to the leader; whether it commits is learnt by watching applied entries.</summary>
    Forwarded,

    /// <summary>
    /// A conf change proposed while another is still unapplied: as etcd does, an empty normal entry
    /// took its place, so the change will never apply.
    /// </summary>
    ConfChangeRefused,

    /// <summary>No leader is known (an election is under way): etcd's "etcdserver: no leader".</summary>
    DroppedNoLeader,

    /// <summary>This follower has proposal forwarding disabled.</summary>
    DroppedForwardingDisabled,

    /// <summary>The leader is handing leadership over and takes no proposals meanwhile.</summary>
    DroppedLeadershipTransfer,

    /// <summary>This leader has been removed from the configuration.</summary>
    DroppedNotMember,

    /// <summary>The uncommitted tail of the leader's log is at its size limit.</summary>
    DroppedUncommittedSizeLimit,

    /// <summary>The request is malformed (an unreadable or unsupported conf change, no entries).</summary>
    DroppedInvalid,
}

public readonly record struct ProposalResult(ProposalStatus Status)
{
    public static ProposalResult Accepted => new(ProposalStatus.Accepted);

    public static ProposalResult Forwarded => new(ProposalStatus.Forwarded);

    /// <summary>Taken by the leader or on its way to it.</summary>
    public bool IsAccepted => Status is ProposalStatus.Accepted or ProposalStatus.Forwarded;

    /// <summary>Nothing was appended or sent: etcd's ErrProposalDropped.</summary>
    public bool IsDropped => Status >= ProposalStatus.DroppedNoLeader;

    public string Describe() => Status switch
    {
        ProposalStatus.Accepted => "accepted",
        ProposalStatus.Forwarded => "forwarded to the leader",
        ProposalStatus.ConfChangeRefused => "conf change refused: another one is not applied yet",
        ProposalStatus.DroppedNoLeader => "raft proposal dropped: no leader",
        ProposalStatus.DroppedForwardingDisabled => "raft proposal dropped: forwarding to the leader is disabled",
        ProposalStatus.DroppedLeadershipTransfer => "raft proposal dropped: leadership transfer in progress",
        ProposalStatus.DroppedNotMember => "raft proposal dropped: this member was removed",
        ProposalStatus.DroppedUncommittedSizeLimit => "raft proposal dropped: too many uncommitted entries",
        _ => "raft proposal dropped: invalid request",
    };

    public override string ToString() => Describe();
}
