namespace Cairn.Server.Mvcc;

/// <summary>
/// The in-memory index of every key's revisions (etcd's <c>treeIndex</c>): a
/// <see cref="KeyIndexTree"/> of <see cref="KeyIndex"/> guarded by a reader/writer lock.
/// One thread writes (the apply loop) and the compactor prunes in the background; any number
/// of readers scan. Scans at a revision hold the read lock for a bounded number of keys at a
/// time, so a large range never stalls the writer for long: what the writer adds meanwhile is
/// newer than the scan's revision and invisible to it.
/// </summary>
internal sealed class TreeIndex
{
    /// <summary>Keys visited per hold of the lock in long scans and in compaction.</summary>
    internal const int KeysPerLockHold = 1024;

    private readonly KeyIndexTree _tree = new();
    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);

    public int KeyCount
    {
        get
        {
            _lock.EnterReadLock();
            try
            {
                return _tree.Count;
            }
            finally
            {
                _lock.ExitReadLock();
            }
        }
    }

    public KeyState? Get(ReadOnlySpan<byte> key, long atMain)
    {
        _lock.EnterReadLock();
        try
        {
            return _tree.Find(key)?.Get(atMain);
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>
    /// Records a put of the key at <paramref name="revision"/> and returns the key's state just
    /// before it (null for a new key, or one deleted): one lookup for both.
    /// </summary>
    public KeyState? Put(ReadOnlySpan<byte> key, Revision revision)
    {
        _lock.EnterWriteLock();
        try
        {
            var ki = _tree.Find(key);
            if (ki is null)
            {
                ki = new KeyIndex(key.ToArray());
                ki.Put(revision);
                _tree.Insert(ki);
                return null;
            }
            var previous = ki.IsLive ? ki.Get(revision.Main) : null;
            ki.Put(revision);
            return previous;
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>Marks the key deleted at the revision; false when it does not exist.</summary>
    public bool Tombstone(ReadOnlySpan<byte> key, Revision revision)
    {
        _lock.EnterWriteLock();
        try
        {
            return _tree.Find(key)?.Tombstone(revision) ?? false;
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>
    /// The keys of <paramref name="range"/> that exist at <paramref name="atMain"/>, in key
    /// order: the first <paramref name="limit"/> of them (all when negative, none when 0) are
    /// added to <paramref name="into"/>, and the count of all of them is returned.
    /// </summary>
    public int Range(KeyRange range, long atMain, int limit, List<IndexedKey> into)
    {
        if (range.IsSingleKey)
        {
            _lock.EnterReadLock();
            try
            {
                var ki = _tree.Find(range.Key.Span);
                if (ki?.Get(atMain) is not { } state)
                {
                    return 0;
                }
                if (limit != 0)
                {
                    into.Add(new IndexedKey(ki.Key, state.Modified));
                }
                return 1;
            }
            finally
            {
                _lock.ExitReadLock();
            }
        }

        int count = 0;
        byte[]? resumeAfter = null;
        bool done = false;
        while (!done)
        {
            _lock.EnterReadLock();
            try
            {
                var cursor = _tree.Seek(resumeAfter ?? range.Key.Span);
                int visited = 0;
                done = true;
                while (cursor.MoveNext())
                {
                    var ki = cursor.Current;
                    if (resumeAfter is not null && ki.Key.AsSpan().SequenceEqual(resumeAfter))
                    {
                        continue;
                    }
                    if (!range.IsBeforeEnd(ki.Key))
                    {
                        break;
                    }
                    if (ki.Get(atMain) is { } state)
                    {
                        if (limit < 0 || count < limit)
                        {
                            into.Add(new IndexedKey(ki.Key, state.Modified));
                        }
                        count++;
                    }
                    if (++visited == KeysPerLockHold)
                    {
                        resumeAfter = ki.Key;
                        done = false;
                        break;
                    }
                }
            }
            finally
            {
                _lock.ExitReadLock();
            }
        }
        return count;
    }

    /// <summary>
    /// The revisions of changes to keys of <paramref name="range"/> at or after main revision
    /// <paramref name="sinceMain"/>, in revision order (one per key and main revision): what a
    /// watcher that starts in the past must replay.
    /// </summary>
    public List<Revision> RangeSince(KeyRange range, long sinceMain)
    {
        var revisions = new List<Revision>();
        _lock.EnterReadLock();
        try
        {
            if (range.IsSingleKey)
            {
                _tree.Find(range.Key.Span)?.AppendSince(sinceMain, revisions);
                return revisions;
            }
            var cursor = _tree.Seek(range.Key.Span);
            while (cursor.MoveNext() && range.IsBeforeEnd(cursor.Current.Key))
            {
                cursor.Current.AppendSince(sinceMain, revisions);
            }
        }
        finally
        {
            _lock.ExitReadLock();
        }
        revisions.Sort();
        return revisions;
    }

    /// <summary>
    /// Compacts every key at <paramref name="atMain"/> and returns the revisions at or below it
    /// that must stay in the backend. Holds the write lock for a bounded number of keys at a time.
    /// </summary>
    public HashSet<Revision> Compact(long atMain, CancellationToken cancellation = default)
    {
        var keep = new HashSet<Revision>();
        byte[]? resumeAfter = null;
        bool done = false;
        while (!done)
        {
            cancellation.ThrowIfCancellationRequested();
            _lock.EnterWriteLock();
            try
            {
                done = CompactSome(atMain, keep, ref resumeAfter);
            }
            finally
            {
                _lock.ExitWriteLock();
            }
        }
        return keep;
    }

    private bool CompactSome(long atMain, HashSet<Revision> keep, ref byte[]? resumeAfter)
    {
        var cursor = resumeAfter is null ? _tree.First() : _tree.Seek(resumeAfter);
        var emptied = new List<byte[]>();
        int visited = 0;
        bool done = true;
        byte[]? last = null;
        while (cursor.MoveNext())
        {
            var ki = cursor.Current;
            if (resumeAfter is not null && ki.Key.AsSpan().SequenceEqual(resumeAfter))
            {
                continue;
            }
            ki.Compact(atMain, keep);
            if (ki.IsEmpty)
            {
                emptied.Add(ki.Key);
            }
            last = ki.Key;
            if (++visited == KeysPerLockHold)
            {
                done = false;
                break;
            }
        }
        // Removing invalidates the cursor: done after the walk, still under the lock.
        foreach (var key in emptied)
        {
            _tree.Remove(key);
        }
        resumeAfter = last;
        return done;
    }

    /// <summary>The revisions a compaction at <paramref name="atMain"/> would keep.</summary>
    public HashSet<Revision> Keep(long atMain)
    {
        var keep = new HashSet<Revision>();
        _lock.EnterReadLock();
        try
        {
            var cursor = _tree.First();
            while (cursor.MoveNext())
            {
                cursor.Current.Keep(atMain, keep);
            }
        }
        finally
        {
            _lock.ExitReadLock();
        }
        return keep;
    }

    /// <summary>Fills an empty index with keys in byte order (the restore at start).</summary>
    public void BulkLoad(IReadOnlyList<KeyIndex> sorted)
    {
        _lock.EnterWriteLock();
        try
        {
            _tree.BulkLoad(sorted);
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>Structural equality of two indexes, for tests.</summary>
    public bool SameAs(TreeIndex other)
    {
        _lock.EnterReadLock();
        other._lock.EnterReadLock();
        try
        {
            if (_tree.Count != other._tree.Count)
            {
                return false;
            }
            var a = _tree.First();
            var b = other._tree.First();
            while (a.MoveNext())
            {
                if (!b.MoveNext() || !a.Current.SameAs(b.Current))
                {
                    return false;
                }
            }
            return !b.MoveNext();
        }
        finally
        {
            other._lock.ExitReadLock();
            _lock.ExitReadLock();
        }
    }
}
