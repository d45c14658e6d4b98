namespace Cairn.Raft.Tracking;

/// <summary>How the leader replicates to a follower (etcd's tracker.StateType, same numbering).</summary>
public enum ProgressState
{
    /// <summary>One append per heartbeat interval until the follower's match index is found.</summary>
    Probe = 0,

    /// <summary>Optimistic streaming of appends, bounded by the in-flight window.</summary>
    Replicate = 1,

    /// <summary>A snapshot is on its way; appends pause until it is reported.</summary>
    Snapshot = 2,
}

public static class ProgressStateNames
{
    /// <summary>etcd's name for the state ("StateProbe", ...).</summary>
    public static string ToEtcdName(this ProgressState state) => state switch
    {
        ProgressState.Probe => "StateProbe",
        ProgressState.Replicate => "StateReplicate",
        _ => "StateSnapshot",
    };
}
