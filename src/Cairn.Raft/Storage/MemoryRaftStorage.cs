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

    // The compaction point: the last discarded entry (etcd keeps it as a dummy entry at ents[0]).
    private ulong _offsetIndex;
    private ulong _offsetTerm;

    // Entry _offsetIndex + 1 + k lives at _ents[_start + k], k < _count. Slots that have been
    // handed out are never written again: compaction only moves _start; truncation and growth
    // copy the live entries to a new array. So a segment returned earlier stays what it was.
    private Entry[] _ents = new Entry[64];
    private int _start;
    private int _count;

    public MemoryRaftStorage()
        : this(new ConfState())
    {
    }

    /// <summary>A storage whose (empty) initial snapshot carries the given configuration.</summary>
    public MemoryRaftStorage(ConfState initialConfState)
    {
        _snapshot = new Snapshot { Metadata = SnapshotMetadata.Of(initialConfState, 0, 0) };
    }

    public RaftInitialState InitialState() => new(_hardState, _snapshot.Metadata.ConfState ?? new ConfState());

    public void SetHardState(HardState state) => _hardState = state;

    public HardState HardState => _hardState;

    public ArraySegment<Entry> Entries(ulong lo, ulong hi, ulong maxSize)
    {
        if (lo <= _offsetIndex)
        {
            throw new RaftStorageException(RaftStorageError.Compacted);
        }
        if (hi > LastIndex() + 1)
        {
            throw new RaftStateException($"entries' hi({hi}) is out of bound lastindex({LastIndex()})");
        }
        if (_count == 0)
        {
            throw new RaftStorageException(RaftStorageError.Unavailable);
        }
        var ents = new ArraySegment<Entry>(_ents, _start + (int)(lo - _offsetIndex - 1), (int)(hi - lo));
        return EntrySize.Limit(ents, maxSize);
    }

    public ulong Term(ulong index)
    {
        if (index < _offsetIndex)
        {
            throw new RaftStorageException(RaftStorageError.Compacted);
        }
        if (index == _offsetIndex)
        {
            return _offsetTerm;
        }
        if (index > LastIndex())
        {
            throw new RaftStorageException(RaftStorageError.Unavailable);
        }
        return _ents[_start + (int)(index - _offsetIndex - 1)].Term;
    }

    public ulong LastIndex() => _offsetIndex + (ulong)_count;

    public ulong FirstIndex() => _offsetIndex + 1;

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
        _offsetIndex = index;
        _offsetTerm = snapshot.Metadata!.Term;
        _ents = new Entry[64];
        _start = 0;
        _count = 0;
    }

    /// <summary>
    /// Records a snapshot of the application's state at index (which must be applied), with the
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
        var conf = confState ?? _snapshot.Metadata.ConfState ?? new ConfState();
        _snapshot = new Snapshot { Data = data, Metadata = SnapshotMetadata.Of(conf, index, Term(index)) };
        return _snapshot;
    }

    /// <summary>Discards the entries up to and including compactIndex (which must be applied).</summary>
    public void Compact(ulong compactIndex)
    {
        if (compactIndex <= _offsetIndex)
        {
            throw new RaftStorageException(RaftStorageError.Compacted);
        }
        if (compactIndex > LastIndex())
        {
            throw new RaftStateException($"compact {compactIndex} is out of bound lastindex({LastIndex()})");
        }
        var term = Term(compactIndex);
        var n = (int)(compactIndex - _offsetIndex);
        _start += n;
        _count -= n;
        _offsetIndex = compactIndex;
        _offsetTerm = term;
    }

    /// <summary>
    /// Persists what a Ready asks to, in the required order: the snapshot, then the entries, then
    /// the hard state.
    /// </summary>
    public void Persist(Ready ready)
    {
        if (ready.Snapshot is not null)
        {
            ApplySnapshot(ready.Snapshot);
        }
        Append(ready.Entries);
        if (ready.HardState is not null)
        {
            SetHardState(ready.HardState);
        }
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
        // How many of our entries stay before the new ones.
        var keep = entries[0].Index - first;
        if ((ulong)_count > keep)
        {
            var ents = new Entry[Math.Max(64, ((int)keep + entries.Length) * 2)];
            Array.Copy(_ents, _start, ents, 0, (int)keep);
            entries.CopyTo(ents.AsSpan((int)keep));
            _ents = ents;
            _start = 0;
            _count = (int)keep + entries.Length;
        }
        else if ((ulong)_count == keep)
        {
            if (_start + _count + entries.Length > _ents.Length)
            {
                var ents = new Entry[Math.Max(64, (_count + entries.Length) * 2)];
                Array.Copy(_ents, _start, ents, 0, _count);
                _ents = ents;
                _start = 0;
            }
            entries.CopyTo(_ents.AsSpan(_start + _count));
            _count += entries.Length;
        }
        else
        {
            throw new RaftStateException($"missing log entry [last: {LastIndex()}, append at: {entries[0].Index}]");
        }
    }
}
