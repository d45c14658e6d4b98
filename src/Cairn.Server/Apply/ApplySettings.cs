using Cairn.Protocol.Raftpb;

namespace Cairn.Server.Apply;

/// <summary>Where the apply loop starts and how often it snapshots.</summary>
/// <param name="ConsistentIndex">The last entry the backend holds (its committed consistent index).</param>
/// <param name="SnapshotIndex">The index of the raft snapshot the member started from (0 for none).</param>
/// <param name="ConfState">The configuration at <paramref name="SnapshotIndex"/>.</param>
/// <param name="SnapshotCount">--snapshot-count.</param>
/// <param name="SnapshotCatchUpEntries">Entries kept in the raft log behind a snapshot.</param>
public sealed record ApplySettings(ulong ConsistentIndex, ulong SnapshotIndex, ConfState ConfState, ulong SnapshotCount, ulong SnapshotCatchUpEntries);
