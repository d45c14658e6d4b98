using Cairn.Protocol.Raftpb;

namespace Cairn.Server.Consensus;

/// <summary>What the raft loop hands the apply loop: committed entries in log order, already durable, or a snapshot to apply first.</summary>
public sealed record CommittedBatch(Entry[] Entries, Snapshot? Snapshot);
