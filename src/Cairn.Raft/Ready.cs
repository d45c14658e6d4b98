using Cairn.Protocol.Raftpb;

namespace Cairn.Raft;

/// <summary>
/// One batch of work the core hands to the application (etcd's Ready). Handle it in this order,
/// then call <see cref="RaftNode.Advance"/>:
/// <list type="number">
/// <item>Persist <see cref="Snapshot"/> (if any), then <see cref="Entries"/>, then
/// <see cref="HardState"/> (if any), and make them durable (fsync) when <see cref="MustSync"/>.
/// This must finish before any of <see cref="Messages"/> is sent: a vote or an append
/// acknowledgement sent before its cause is on disk can be forgotten by a crash, which breaks
/// Raft's safety.</item>
/// <item>Send <see cref="Messages"/>. After sending a MsgSnap, report the outcome with
/// <see cref="RaftNode.ReportSnapshot"/>; report peers that cannot be reached with
/// <see cref="RaftNode.ReportUnreachable"/>.</item>
/// <item>Apply <see cref="Snapshot"/> and then <see cref="CommittedEntries"/> to the state
/// machine, in order; for EntryConfChange entries call <see cref="RaftNode.ApplyConfChange"/>.
/// Committed entries may be applied after Advance (etcd's server does, on its apply thread): the
/// lists stay valid.</item>
/// <item>Serve <see cref="ReadStates"/>: a read for a context is linearizable once the applied
/// index reaches the state's index.</item>
/// </list>
/// </summary>
public sealed class Ready
{
    /// <summary>Leader and role, when they changed since the last Ready; otherwise null.</summary>
    public SoftState? SoftState { get; init; }

    /// <summary>Term, vote and commit to persist, when they changed; otherwise null.</summary>
    public HardState? HardState { get; init; }

    /// <summary>Answers to ReadIndex requests.</summary>
    public IReadOnlyList<ReadState> ReadStates { get; init; } = Array.Empty<ReadState>();

    /// <summary>Entries to append to stable storage (replacing any entries from the first index on).</summary>
    public ArraySegment<Entry> Entries { get; init; }

    /// <summary>A snapshot from the leader to persist and apply; otherwise null.</summary>
    public Snapshot? Snapshot { get; init; }

    /// <summary>Entries committed since the last Ready, to apply in order.</summary>
    public ArraySegment<Entry> CommittedEntries { get; init; }

    /// <summary>Messages to send once the state above is persisted.</summary>
    public IReadOnlyList<Message> Messages { get; init; } = Array.Empty<Message>();

    /// <summary>
    /// Whether the writes must be synced to disk before sending: true when there are entries or
    /// the term or vote changed (etcd's MustSync); a commit index alone may be written lazily.
    /// </summary>
    public bool MustSync { get; init; }

    public bool ContainsUpdates =>
        SoftState is not null || HardState is not null || Snapshot is not null || Entries.Count > 0
        || CommittedEntries.Count > 0 || Messages.Count > 0 || ReadStates.Count > 0;

    /// <summary>The index the application has applied once it handled this Ready.</summary>
    internal ulong AppliedCursor
    {
        get
        {
            if (CommittedEntries.Count > 0)
            {
                return CommittedEntries[^1].Index;
            }
            return Snapshot?.Metadata?.Index ?? 0;
        }
    }
}
