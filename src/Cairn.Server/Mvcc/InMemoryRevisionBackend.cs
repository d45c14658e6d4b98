namespace Cairn.Server.Mvcc;

/// <summary>
/// An <see cref="IRevisionBackend"/> in memory, for tests and benchmarks of the MVCC layer
/// without the bbolt backend. Nothing is durable. Records sit in one list in revision order
/// (writes arrive in that order, so a put is an append); deletions leave holes that are
/// squeezed out once they are half the list; puts are also in a hash table for point reads.
/// Readers share a reader/writer lock.
/// </summary>
public sealed class InMemoryRevisionBackend : IRevisionBackend
{
    private readonly ReaderWriterLockSlim _data = new(LockRecursionPolicy.NoRecursion);
    private readonly object _writer = new();
    private readonly List<Slot> _slots = [];
    // Put records by revision, for point reads without a binary search over every record.
    private readonly Dictionary<Revision, byte[]> _puts = [];
    private int _holes;
    private long _scheduled = -1;
    private long _finished = -1;

    private Hold Reading()
    {
        _data.EnterReadLock();
        return new Hold(_data, write: false);
    }

    private Hold Writing()
    {
        _data.EnterWriteLock();
        return new Hold(_data, write: true);
    }

    private readonly struct Hold(ReaderWriterLockSlim rw, bool write) : IDisposable
    {
        public void Dispose()
        {
            if (write)
            {
                rw.ExitWriteLock();
            }
            else
            {
                rw.ExitReadLock();
            }
        }
    }

    /// <summary>Number of records held (tombstones included).</summary>
    public int RecordCount
    {
        get
        {
            using (Reading())
            {
                return _slots.Count - _holes;
            }
        }
    }

    /// <summary>How many times <see cref="ForceCommit"/> was called.</summary>
    public int ForcedCommits { get; private set; }

    public IRevisionWriter BeginWrite()
    {
        Monitor.Enter(_writer);
        return new Writer(this);
    }

    public void ReadRecords(ReadOnlySpan<Revision> revisions, RevisionRecordReader reader)
    {
        for (int i = 0; i < revisions.Length; i++)
        {
            byte[]? value;
            using (Reading())
            {
                _puts.TryGetValue(revisions[i], out value);
            }
            if (value is not null)
            {
                reader(i, value);
            }
        }
    }

    public void ScanRecords(Revision from, Revision to, RevisionRecordVisitor visitor)
    {
        // Copy batches out under the lock and visit outside it, so that a visitor may call back
        // in; each batch finds its place again, since deletions may have moved the slots.
        var batch = new List<Slot>(256);
        while (true)
        {
            batch.Clear();
            using (Reading())
            {
                int at = Find(from);
                for (at = at >= 0 ? at : ~at; at < _slots.Count && batch.Count < 256; at++)
                {
                    var slot = _slots[at];
                    if (slot.Revision >= to)
                    {
                        break;
                    }
                    if (!slot.Deleted)
                    {
                        batch.Add(slot);
                    }
                }
            }
            if (batch.Count == 0)
            {
                return;
            }
            foreach (var slot in batch)
            {
                if (!visitor(slot.Revision, slot.IsTombstone, slot.Value))
                {
                    return;
                }
            }
            from = new Revision(batch[^1].Revision.Main, batch[^1].Revision.Sub + 1);
        }
    }

    public CompactionMarks ReadCompactionMarks()
    {
        using (Reading())
        {
            return new CompactionMarks(_scheduled, _finished);
        }
    }

    public void ForceCommit() => ForcedCommits++;

    /// <summary>Position of the revision, or the bitwise complement of where it would go.</summary>
    private int Find(Revision revision) => _slots.BinarySearch(new Slot(revision, false, false, []), ByRevision.Instance);

    private void Put(Revision revision, bool isTombstone, ReadOnlySpan<byte> keyValue)
    {
        var slot = new Slot(revision, isTombstone, false, keyValue.ToArray());
        using (Writing())
        {
            if (isTombstone)
            {
                _puts.Remove(revision);
            }
            else
            {
                _puts[revision] = slot.Value;
            }
            if (_slots.Count == 0 || _slots[^1].Revision < revision)
            {
                _slots.Add(slot);
                return;
            }
            int at = Find(revision);
            if (at >= 0)
            {
                if (_slots[at].Deleted)
                {
                    _holes--;
                }
                _slots[at] = slot;
            }
            else
            {
                _slots.Insert(~at, slot);
            }
        }
    }

    private void Delete(Revision revision, bool isTombstone)
    {
        using (Writing())
        {
            int at = Find(revision);
            if (at < 0 || _slots[at].Deleted || _slots[at].IsTombstone != isTombstone)
            {
                return;
            }
            _slots[at] = _slots[at] with { Deleted = true, Value = [] };
            if (!isTombstone)
            {
                _puts.Remove(revision);
            }
            if (++_holes > 1024 && _holes > _slots.Count / 2)
            {
                _slots.RemoveAll(s => s.Deleted);
                _holes = 0;
            }
        }
    }

    private readonly record struct Slot(Revision Revision, bool IsTombstone, bool Deleted, byte[] Value);

    private sealed class ByRevision : IComparer<Slot>
    {
        public static readonly ByRevision Instance = new();

        public int Compare(Slot x, Slot y) => x.Revision.CompareTo(y.Revision);
    }

    private sealed class Writer(InMemoryRevisionBackend backend) : IRevisionWriter
    {
        private bool _closed;

        public void PutRecord(Revision revision, bool isTombstone, ReadOnlySpan<byte> keyValue) =>
            backend.Put(revision, isTombstone, keyValue);

        public void DeleteRecord(Revision revision, bool isTombstone) => backend.Delete(revision, isTombstone);

        public void WriteScheduledCompaction(long revision)
        {
            using (backend.Writing())
            {
                backend._scheduled = revision;
            }
        }

        public void WriteFinishedCompaction(long revision)
        {
            using (backend.Writing())
            {
                backend._finished = revision;
            }
        }

        public void Dispose()
        {
            if (!_closed)
            {
                _closed = true;
                Monitor.Exit(backend._writer);
            }
        }
    }
}
