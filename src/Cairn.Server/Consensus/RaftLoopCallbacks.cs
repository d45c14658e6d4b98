using Cairn.Protocol.Raftpb;
using Cairn.Raft;
using Google.Protobuf;

namespace Cairn.Server.Consensus;

/// <summary>
/// What the raft loop tells the server. All are called on the raft loop's thread and must return
/// quickly: complete a waiter, set a flag, log.
/// </summary>
public sealed record RaftLoopCallbacks
{
    /// <summary>Raft refused a proposal (no leader, transfer under way...): fail the waiter with this ID.</summary>
    public required Action<ulong, ProposalResult> ProposalDropped { get; init; }

    /// <summary>ReadIndex answers, in request order.</summary>
    public required Action<IReadOnlyList<ReadState>> ReadStates { get; init; }

    /// <summary>Raft refused a ReadIndex request.</summary>
    public required Action<ByteString, ProposalResult> ReadIndexDropped { get; init; }

    /// <summary>Leader or role changed; the term is the current one.</summary>
    public required Action<SoftState, ulong> LeaderChanged { get; init; }

    /// <summary>A raft snapshot was saved and the log compacted up to the given index.</summary>
    public required Action<Snapshot, ulong> SnapshotSaved { get; init; }

    /// <summary>The loop stopped on an error it cannot recover from.</summary>
    public required Action<Exception> Failed { get; init; }
}
