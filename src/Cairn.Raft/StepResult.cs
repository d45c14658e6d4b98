namespace Cairn.Raft;

/// <summary>What <see cref="RaftNode.Step"/> did with a message from a peer.</summary>
public enum StepStatus
{
    /// <summary>Processed (which includes ignoring it, as Raft says, when it is stale).</summary>
    Ok,

    /// <summary>A message type that only the member itself may generate (etcd's ErrStepLocalMsg).</summary>
    LocalMessage,

    /// <summary>A response from a member not in the configuration (etcd's ErrStepPeerNotFound).</summary>
    UnknownPeer,

    /// <summary>A forwarded proposal that this member could not take (etcd's ErrProposalDropped).</summary>
    ProposalDropped,

    /// <summary>
    /// A malformed or impossible message (missing fields, entries out of sequence, an append that
    /// would overwrite committed entries). It was ignored; nothing changed.
    /// </summary>
    Invalid,
}

public readonly record struct StepResult(StepStatus Status, string? Detail = null)
{
    public static StepResult Ok => new(StepStatus.Ok);

    public bool IsOk => Status == StepStatus.Ok;

    public static StepResult Invalid(string detail) => new(StepStatus.Invalid, detail);

    public override string ToString() => Detail is null ? Status.ToString() : $"{Status}: {Detail}";
}
