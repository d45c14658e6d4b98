namespace Cairn.Raft;

// Every error the Raft core raises lives here. Peer input never raises any of them: Step reports
// bad messages through StepResult. These are for callers that misconfigure the core, storage that
// fails, and persisted state that contradicts itself.

/// <summary>The base of every error the Raft core raises.</summary>
public abstract class RaftException : Exception
{
    protected RaftException(string message)
        : base(message)
    {
    }
}

/// <summary>A <see cref="RaftConfig"/> that etcd would refuse; the message is etcd's.</summary>
public sealed class RaftConfigException : RaftException
{
    public RaftConfigException(string message)
        : base(message)
    {
    }
}

/// <summary>The storage errors of etcd's raft.Storage contract.</summary>
public enum RaftStorageError
{
    /// <summary>The requested index is below the first index: it was compacted away.</summary>
    Compacted,

    /// <summary>A snapshot was offered that is not newer than the one already held.</summary>
    SnapshotOutOfDate,

    /// <summary>The requested entry is beyond the last index.</summary>
    Unavailable,

    /// <summary>The snapshot is being prepared; the leader retries later.</summary>
    SnapshotTemporarilyUnavailable,
}

/// <summary>A storage call failed with one of etcd's storage errors (same texts).</summary>
public sealed class RaftStorageException : RaftException
{
    public RaftStorageException(RaftStorageError error)
        : base(MessageOf(error))
    {
        Error = error;
    }

    public RaftStorageError Error { get; }

    public static string MessageOf(RaftStorageError error) => error switch
    {
        RaftStorageError.Compacted => "requested index is unavailable due to compaction",
        RaftStorageError.SnapshotOutOfDate => "requested index is older than the existing snapshot",
        RaftStorageError.Unavailable => "requested entry at index is unavailable",
        RaftStorageError.SnapshotTemporarilyUnavailable => "snapshot is temporarily unavailable",
        _ => error.ToString(),
    };
}

/// <summary>
/// A configuration change that cannot be applied (it would remove every voter, or names an unknown
/// change type). The server validates changes before proposing them, as etcd's does.
/// </summary>
public sealed class RaftConfChangeException : RaftException
{
    public RaftConfChangeException(string message)
        : base(message)
    {
    }
}

/// <summary>
/// Local state contradicts itself: persisted hard state out of the log's range, an applied index
/// beyond the commit index, bootstrap of a non-empty log, or a caller breaking the Ready/Advance
/// contract. etcd panics in these cases; Cairn throws this so the caller can stop cleanly.
/// </summary>
public sealed class RaftStateException : RaftException
{
    public RaftStateException(string message)
        : base(message)
    {
    }
}
