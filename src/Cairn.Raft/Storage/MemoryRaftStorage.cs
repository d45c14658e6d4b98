using Cairn.Protocol.Raftpb;
using Cairn.Raft.Log;
using Google.Protobuf;

namespace Cairn.Raft.Storage;

/// <summary>
/// An in-memory <see cref="IRaftStorage"/> (etcd's MemoryStorage), for tests, simulations and
/// benchmarks. Not thread-safe: use it from the thread that drives the member.
/// </summary>
public sealed class MemoryRaftStorage : IRaftStorage
{
    private HardState _hardState = new();
    private Snapshot _snapshot;

    // _ents[0] is a dummy holding the snapshot's index and term; real entries follow. Slots that
    // have been handed out are never overwritten: truncation and compaction copy to a new array.
    private Entry[] _ents;
    private int _count;

    public MemoryRaftStorage()
        : this(new ConfState())
    {
    }

    /// <summary>A storage whose (empty) initial snapshot carries the given configuration.</summary>
    public MemoryRaftStorage(ConfState initialConfState)
    {
        _snapshot = new Snapshot { Metadata = SnapshotMetadata.Of(initialConfState, 0, 0) };
        _ents = new Entry[16];
        _ents[0] = Entry.Of(0, 0, EntryType.EntryNormal, null);
        _count = 1;
    }

    public RaftInitialState InitialState() => new(_hardState, _snapshot.Metadata.ConfState ?? new ConfState());

    public void SetHardState(HardState state) => _hardState = state;

    public HardState HardState => _hardState;

    public ArraySegment<Entry> Entries(ulong lo, ulong hi, ulong maxSize)
    {
        var offset = _ents[0].Index;
        if (lo <= offset)
        {
            throw new RaftStorageException(RaftStorageError.Compacted);
        }
        if (hi > LastIndex() + 1)
        {
            throw new RaftStateException($"entries' hi({hi}) is out of bound lastindex({LastIndex()})");
        }
        if (_count == 1)
        {
            throw new RaftStorageException(RaftStorageError.Unavailable);
        }
        var ents = new ArraySegment<Entry>(_ents, (int)(lo - offset), (int)(hi - lo));
        return EntrySize.Limit(ents, maxSize);
    }

    public ulong Term(ulong index)
    {
        var offset = _ents[0].Index;
        if (index < offset)
        {
            throw new RaftStorageException(RaftStorageError.Compacted);
        }
        if (index - offset >= (ulong)_count)
        {
            throw new RaftStorageException(RaftStorageError.Unavailable);
        }
        return _ents[index - offset].Term;
    }

    public ulong LastIndex() => _ents[0].Index + (ulong)_count - 1;

    public ulong FirstIndex() => _ents[0].Index + 1;

    public Snapshot Snapshot() => _snapshot;

    /// <summary>Replaces the log with a newer snapshot (a follower installing the leader's).</summary>
    public void ApplySnapshot(Snapshot snapshot)
    {
        var index = snapshot.Metadata?.Index ?? 0;
        if (_snapshot.Metadata.Index >= index)
        {
            throw new RaftStorageException(RaftStorageError.SnapshotOutOfDate);
        }
        _snapshot = snapshot;
        _ents = new Entry[16];
        _ents[0] = Entry.Of(snapshot.Metadata!.Term, index, EntryType.EntryNormal, null);
        _count = 1;
    }

    /// <summary>
    /// Records a snapshot of the application's state at index i (which must be applied), with the
    /// configuration at that index when given. The log is not compacted: see <see cref="Compact"/>.
    /// </summary>
    public Snapshot CreateSnapshot(ulong index, ConfState? confState, ByteString data)
    {
        if (index <= _snapshot.Metadata.Index)
        {
            throw new RaftStorageException(RaftStorageError.SnapshotOutOfDate);
        }
        if (index > LastIndex())
        {
            throw new RaftStateException($"snapshot {index} is out of bound lastindex({LastIndex()})");
        }
        var offset = _ents[0].Index;
        var conf = confState ?? _snapshot.Metadata.ConfState ?? new ConfState();
        _snapshot = new Snapshot
        {
            Data = data,
            Metadata = SnapshotMetadata.Of(conf, index, _ents[index - offset].Term),
        };
        return _snapshot;
    }

    /// <summary>Discards the entries up to and including compactIndex (which must be applied).</summary>
    public void Compact(ulong compactIndex)
    {
        var offset = _ents[0].Index;
        if (compactIndex <= offset)
        {
            throw new RaftStorageException(RaftStorageError.Compacted);
        }
        if (compactIndex > LastIndex())
        {
            throw new RaftStateException($"compact {compactIndex} is out of bound lastindex({LastIndex()})");
        }
        var i = (int)(compactIndex - offset);
        var remaining = _count - i;
        var ents = new Entry[Math.Max(16, remaining * 2)];
        ents[0] = Entry.Of(_ents[i].Term, _ents[i].Index, EntryType.EntryNormal, null);
        Array.Copy(_ents, i + 1, ents, 1, remaining - 1);
        _ents = ents;
        _count = remaining;
    }

    /// <summary>
    /// Appends entries, replacing any existing entries from the first new index on. Entries already
    /// compacted away are skipped; a gap after the last index is a caller error.
    /// </summary>
    public void Append(ReadOnlySpan<Entry> entries)
    {
        if (entries.IsEmpty)
        {
            return;
        }
        var first = FirstIndex();
        var last = entries[0].Index + (ulong)entries.Length - 1;
        if (last < first)
        {
            return;
        }
        if (first > entries[0].Index)
        {
            entries = entries[(int)(first - entries[0].Index)..];
        }
        var offset = entries[0].Index - _ents[0].Index;
        if ((ulong)_count > offset)
        {
            // Truncate: copy the kept prefix to a new array so that handed-out views stay intact.
            var keep = (int)offset;
            var ents = new Entry[Math.Max(16, (keep + entries.Length) * 2)];
            Array.Copy(_ents, ents, keep);
            entries.CopyTo(ents.AsSpan(keep));
            _ents = ents;
            _count = keep + entries.Length;
        }
        else if ((ulong)_count == offset)
        {
            EnsureCapacity(_count + entries.Length);
            entries.CopyTo(_ents.AsSpan(_count));
            _count += entries.Length;
        }
        else
        {
            throw new RaftStateException($"missing log entry [last: {LastIndex()}, append at: {entries[0].Index}]");
        }
    }

    private void EnsureCapacity(int needed)
    {
        if (needed <= _ents.Length)
        {
            return;
        }
        var ents = new Entry[Math.Max(needed, _ents.Length * 2)];
        Array.Copy(_ents, ents, _count);
        _ents = ents;
    }
}
