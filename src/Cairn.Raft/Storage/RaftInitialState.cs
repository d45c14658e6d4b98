using Cairn.Protocol.Raftpb;

namespace Cairn.Raft.Storage;

/// <summary>What a member restarts from: its last hard state and the configuration of its snapshot.</summary>
public readonly record struct RaftInitialState(HardState HardState, ConfState ConfState);
