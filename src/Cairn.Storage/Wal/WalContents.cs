using Cairn.Protocol.Raftpb;

namespace Cairn.Storage.Wal;

/// <summary>
/// What <see cref="WriteAheadLog.ReadAll"/> recovers: the metadata given at creation (null when
/// it was written without any), the last hard state, and the entries after the snapshot the WAL
/// was opened at, with later entries having replaced any conflicting suffix (as raft truncates).
/// </summary>
public sealed record WalContents(byte[]? Metadata, HardState State, IReadOnlyList<Entry> Entries);
