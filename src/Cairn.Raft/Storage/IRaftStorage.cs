using Cairn.Protocol.Raftpb;

namespace Cairn.Raft.Storage;

/// <summary>
/// The stable log a Raft member reads back; etcd's raft.Storage. The core only reads through this
/// interface: the application writes to its storage what each Ready tells it to persist
/// (entries, hard state, snapshot) before calling Advance.
/// </summary>
/// <remarks>
/// Errors are <see cref="RaftStorageException"/> with etcd's meanings. Returned segments are views:
/// the storage must never overwrite an array slot it has handed out (truncation and compaction copy
/// into a new array), so that a Ready holding such a view stays valid.
/// </remarks>
public interface IRaftStorage
{
    /// <summary>The persisted hard state and the configuration of the latest snapshot.</summary>
    RaftInitialState InitialState();

    /// <summary>
    /// Entries in [lo, hi), cut after the first entry that takes the total size beyond maxSize (at
    /// least one entry is returned when the range is not empty). Throws Compacted when lo is not
    /// above the snapshot index, Unavailable when the log holds nothing beyond the snapshot.
    /// </summary>
    ArraySegment<Entry> Entries(ulong lo, ulong hi, ulong maxSize);

    /// <summary>
    /// The term of the entry at index, for index in [FirstIndex-1, LastIndex] (FirstIndex-1 is the
    /// snapshot's). Throws Compacted below that range, Unavailable above it.
    /// </summary>
    ulong Term(ulong index);

    ulong LastIndex();

    /// <summary>The first index that may be in the log (the snapshot index + 1).</summary>
    ulong FirstIndex();

    /// <summary>The latest snapshot; may throw SnapshotTemporarilyUnavailable.</summary>
    Snapshot Snapshot();
}
