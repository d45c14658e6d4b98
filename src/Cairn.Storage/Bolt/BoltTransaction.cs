using System.Diagnostics;
using System.Runtime.CompilerServices;
using Cairn.Storage.Bolt.Format;
using Cairn.Storage.Bolt.Storage;

namespace Cairn.Storage.Bolt;

/// <summary>Receives one top-level bucket of <see cref="BoltTransaction.ForEachBucket"/>.</summary>
public delegate void BoltBucketVisitor(ReadOnlySpan<byte> name, BoltBucket bucket);

/// <summary>
/// A read-only or read-write transaction (bbolt's Tx). A read transaction sees the database as of
/// its start, whatever the writer does meanwhile. One write transaction exists at a time; its
/// changes become visible (and durable) on <see cref="Commit"/>. Spans returned by reads are valid
/// until the transaction ends. Not thread-safe: use a transaction from one thread at a time.
/// Always end a transaction (Commit, Rollback or Dispose): an open reader keeps the pages it can
/// see from being reused, and an open writer holds the writer lock.
/// </summary>
public sealed partial class BoltTransaction : IDisposable
{
    internal const int MaxTreeDepth = 64;

    private readonly List<MapRegion> _regions = new(1);
    private readonly int _pageSize;
    private MapRegion _map;
    private readonly Dictionary<ulong, byte[]>? _dirty;
    private readonly BoltBucket _root;
    private BoltDatabase? _db;
    private Meta _meta;
    private List<Action>? _commitHandlers;
    private TxArena? _arena;

    internal BoltTransaction(BoltDatabase db, bool writable, Meta meta, MapRegion region)
    {
        _db = db;
        Database = db;
        Writable = writable;
        _meta = meta;
        _regions.Add(region);
        _map = region;
        _pageSize = db.PageSize;
        if (writable)
        {
            _meta.TxId++;
            _dirty = new Dictionary<ulong, byte[]>();
        }
        _root = new BoltBucket(this, meta.Root, meta.RootSequence);
    }

    public BoltDatabase Database { get; }

    public bool Writable { get; }

    /// <summary>The transaction id: the last committed id for a reader, the one it will commit as for a writer.</summary>
    public ulong Id => _meta.TxId;

    /// <summary>Database size in bytes as this transaction sees it (high water mark times page size).</summary>
    public long Size => (long)_meta.Pgid * Database.PageSize;

    public bool IsOpen => _db is not null;

    internal TxStats TxStats { get; } = new();

    /// <summary>A copy of this transaction's counters.</summary>
    public TxStats Stats => TxStats.Clone();

    internal ulong MetaPgid => _meta.Pgid;

    internal BoltBucket RootBucket => _root;

    internal Meta MetaSnapshot => _meta;

    internal TxArena Arena => _arena ??= new TxArena(Database.BufferPool);

    /// <summary>The top-level bucket named <paramref name="name"/>, or null.</summary>
    public BoltBucket? Bucket(ReadOnlySpan<byte> name) => _root.Bucket(name);

    public BoltBucket CreateBucket(ReadOnlySpan<byte> name) => _root.CreateBucket(name);

    public BoltBucket CreateBucketIfNotExists(ReadOnlySpan<byte> name) => _root.CreateBucketIfNotExists(name);

    public void DeleteBucket(ReadOnlySpan<byte> name) => _root.DeleteBucket(name);

    /// <summary>A cursor over the top-level bucket names (every entry is a bucket).</summary>
    public BoltCursor Cursor() => _root.Cursor();

    /// <summary>Visits every top-level bucket in name order.</summary>
    public void ForEachBucket(BoltBucketVisitor visitor)
    {
        var c = Cursor();
        for (var ok = c.First(); ok; ok = c.Next())
        {
            var bucket = _root.Bucket(c.Key) ?? throw BoltErrors.IncompatibleValue();
            visitor(c.Key, bucket);
        }
    }

    /// <summary>Runs <paramref name="handler"/> after a successful commit.</summary>
    public void OnCommit(Action handler) => (_commitHandlers ??= new()).Add(handler);

    /// <summary>
    /// Writes the changes: dirty pages, fdatasync, then the meta page, fdatasync (bbolt's order, so
    /// a crash at any point leaves the previous commit intact). The transaction is closed after.
    /// </summary>
    public void Commit()
    {
        var db = EnsureOpen();
        if (!Writable)
        {
            throw BoltErrors.TxNotWritable();
        }
        var started = Stopwatch.GetTimestamp();
        _root.Rebalance();
        if (TxStats.Rebalance > 0)
        {
            TxStats.RebalanceTime += Stopwatch.GetElapsedTime(started);
        }

        try
        {
            started = Stopwatch.GetTimestamp();
            _root.Spill();
            TxStats.SpillTime += Stopwatch.GetElapsedTime(started);
            _meta.Root = _root.RootPgid;

            // The old freelist page is freed; a fresh one is written below (unless NoFreelistSync).
            if (_meta.HasSyncedFreelist)
            {
                FreePage(_meta.Freelist);
            }
            if (!db.Options.NoFreelistSync)
            {
                CommitFreelist(db);
            }
            else
            {
                _meta.Freelist = PageLayout.NoFreelist;
            }

            started = Stopwatch.GetTimestamp();
            WriteDirtyPages(db);
            if (db.Options.StrictMode)
            {
                var errors = ConsistencyCheck.Run(this);
                if (errors.Count > 0)
                {
                    throw BoltErrors.Corrupt(db.Path, null, "check failed after commit: " + string.Join("; ", errors));
                }
            }
            WriteMeta(db);
            TxStats.WriteTime += Stopwatch.GetElapsedTime(started);
        }
        catch
        {
            RollbackAfterFailure(db);
            throw;
        }

        Close();
        if (_commitHandlers is not null)
        {
            foreach (var handler in _commitHandlers)
            {
                handler();
            }
        }
    }

    /// <summary>Discards the transaction's changes and closes it. Closing a closed transaction fails.</summary>
    public void Rollback()
    {
        var db = EnsureOpen();
        if (Writable)
        {
            db.Freelist.Rollback(_meta.TxId);
        }
        Close();
    }

    /// <summary>Rolls back if still open.</summary>
    public void Dispose()
    {
        if (_db is not null)
        {
            Rollback();
        }
    }

    /// <summary>
    /// bbolt's consistency check: every page below the high water mark is reachable exactly once or
    /// free, page types and bounds are right, keys are in order. Returns the problems found (none
    /// when consistent).
    /// </summary>
    public IReadOnlyList<string> Check()
    {
        EnsureOpen();
        return ConsistencyCheck.Run(this);
    }

    internal BoltDatabase EnsureOpen() => _db ?? throw BoltErrors.TxClosed();

    internal void EnsureWritable()
    {
        EnsureOpen();
        if (!Writable)
        {
            throw BoltErrors.TxNotWritable();
        }
    }

    /// <summary>
    /// The page with id <paramref name="id"/>: a dirty buffer of this writer, or the map. Checks the
    /// id against the high water mark and the page header, so corruption fails loudly here.
    /// </summary>
    internal unsafe Page Page(ulong id)
    {
        if (_db is null)
        {
            throw BoltErrors.TxClosed();
        }
        if (_dirty is { Count: > 0 } && _dirty.TryGetValue(id, out var buffer))
        {
            return new Page((byte*)Unsafe.AsPointer(ref buffer[0]), buffer.Length, Database.Path, id);
        }
        if (id >= _meta.Pgid)
        {
            ThrowBeyondHighWaterMark(id);
        }
        var start = (long)id * _pageSize;
        var p = _map.Start + start;
        var headerId = Unsafe.ReadUnaligned<ulong>(p);
        if (headerId != id)
        {
            ThrowHeaderMismatch(id, headerId);
        }
        var overflow = Unsafe.ReadUnaligned<uint>(p + 12);
        if (overflow != 0)
        {
            return OverflowPage(_db, id, p, start, overflow, _map);
        }
        return new Page(p, _pageSize, Database.Path, id);
    }

    private unsafe Page OverflowPage(BoltDatabase db, ulong id, byte* p, long start, uint overflow, MapRegion region)
    {
        if (id + overflow >= _meta.Pgid)
        {
            ThrowCorrupt(id, $"{overflow} overflow pages run past the high water mark ({_meta.Pgid})");
        }
        var extent = ((long)overflow + 1) * db.PageSize;
        if (extent > int.MaxValue || start + extent > region.Length)
        {
            ThrowCorrupt(id, $"{overflow} overflow pages run past the mapped file");
        }
        return new Page(p, (int)extent, db.Path, id);
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowCorrupt(ulong id, string problem) => throw BoltErrors.Corrupt(Database.Path, id, problem);

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowBeyondHighWaterMark(ulong id) => ThrowCorrupt(id, $"page id beyond the high water mark ({_meta.Pgid})");

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowHeaderMismatch(ulong id, ulong headerId) => ThrowCorrupt(id, $"page header holds id {headerId} (torn or overwritten page)");

    /// <summary>Visits a page and, for a branch, every page below it (depth first).</summary>
    internal void ForEachPage(ulong pgid, int depth, BoltBucket.PageVisitor visitor)
    {
        if (depth > MaxTreeDepth)
        {
            throw BoltErrors.Corrupt(Database.Path, pgid, $"tree deeper than {MaxTreeDepth} levels (a cycle?)");
        }
        var page = Page(pgid);
        visitor(page, depth);
        if (page.IsBranch)
        {
            for (var i = 0; i < page.Count; i++)
            {
                ForEachPage(page.BranchChild(i), depth + 1, visitor);
            }
        }
    }

    /// <summary>A zeroed buffer for <paramref name="count"/> contiguous pages, from the freelist or the end of the file.</summary>
    internal unsafe byte* Allocate(int count, out ulong pgid)
    {
        var db = EnsureOpen();
        var pageSize = db.PageSize;
        var buffer = db.BufferPool.Rent(count * pageSize);
        buffer.AsSpan().Clear();

        pgid = db.Freelist.Allocate(_meta.TxId, count);
        if (pgid == 0)
        {
            pgid = _meta.Pgid;
            var minimumSize = ((long)pgid + count + 1) * pageSize;
            if (minimumSize >= db.MapSize)
            {
                _map = db.Remap(minimumSize);
                _regions.Add(_map);
            }
            _meta.Pgid += (ulong)count;
        }
        var p = (byte*)Unsafe.AsPointer(ref buffer[0]);
        Format.Page.WriteHeader(p, pgid, 0, 0, (uint)(count - 1));
        _dirty![pgid] = buffer;
        TxStats.PageCount += count;
        TxStats.PageAlloc += (long)count * pageSize;
        return p;
    }

    /// <summary>Frees a page (and its overflow): pending until no reader can see it.</summary>
    internal void FreePage(ulong pgid) => FreePage(Page(pgid));

    internal void FreePage(in Page page)
    {
        var db = EnsureOpen();
        db.Freelist.Free(_meta.TxId, page.OpenedAs!.Value, page.Overflow, (page.Flags & PageLayout.FreelistPageFlag) != 0);
    }

    private unsafe void CommitFreelist(BoltDatabase db)
    {
        var oldPgid = _meta.Pgid;
        var count = (db.Freelist.SerializedSize() / db.PageSize) + 1;
        var p = Allocate(count, out var pgid);
        db.Freelist.Write(p, count * db.PageSize);
        _meta.Freelist = pgid;
        if (_meta.Pgid > oldPgid)
        {
            db.Grow((long)(_meta.Pgid + 1) * db.PageSize);
        }
    }

    /// <summary>Writes dirty pages in id order, one pwritev per contiguous run, then fdatasync.</summary>
    private void WriteDirtyPages(BoltDatabase db)
    {
        var dirty = _dirty!;
        if (dirty.Count > 0)
        {
            var ids = new ulong[dirty.Count];
            dirty.Keys.CopyTo(ids, 0);
            Array.Sort(ids);
            var pageSize = db.PageSize;
            var run = new List<ReadOnlyMemory<byte>>();
            ulong runStart = 0, runEnd = 0;
            foreach (var id in ids)
            {
                var buffer = dirty[id];
                if (run.Count > 0 && (id != runEnd || run.Count >= 512))
                {
                    db.File.WriteAt(run, (long)runStart * pageSize);
                    TxStats.Write++;
                    run.Clear();
                }
                if (run.Count == 0)
                {
                    runStart = id;
                    runEnd = id;
                }
                run.Add(buffer);
                runEnd += (ulong)(buffer.Length / pageSize);
            }
            db.File.WriteAt(run, (long)runStart * pageSize);
            TxStats.Write++;
        }
        if (!db.Options.NoSync)
        {
            db.File.DataSync();
        }
        ReleaseDirtyPages(db);
    }

    private unsafe void WriteMeta(BoltDatabase db)
    {
        var pageSize = db.PageSize;
        var buffer = db.BufferPool.Rent(pageSize);
        try
        {
            buffer.AsSpan().Clear();
            if (_meta.Root >= _meta.Pgid)
            {
                throw new InvalidOperationException($"root bucket pgid ({_meta.Root}) above high water mark ({_meta.Pgid})");
            }
            if (_meta.HasSyncedFreelist && _meta.Freelist >= _meta.Pgid)
            {
                throw new InvalidOperationException($"freelist pgid ({_meta.Freelist}) above high water mark ({_meta.Pgid})");
            }
            var id = _meta.TxId % 2;
            fixed (byte* p = buffer)
            {
                Format.Page.WriteHeader(p, id, PageLayout.MetaPageFlag, 0, 0);
                _meta.Checksum = _meta.ComputeChecksum();
                _meta.Write(p + PageLayout.HeaderSize);
            }
            db.File.WriteAt(buffer, (long)id * pageSize);
            if (!db.Options.NoSync)
            {
                db.File.DataSync();
            }
            TxStats.Write++;
        }
        finally
        {
            db.BufferPool.Return(buffer);
        }
        db.Committed(_meta);
    }

    private void ReleaseDirtyPages(BoltDatabase db)
    {
        if (_dirty is null)
        {
            return;
        }
        foreach (var buffer in _dirty.Values)
        {
            db.BufferPool.Return(buffer);
        }
        _dirty.Clear();
    }

    /// <summary>After a failed commit: undo this transaction's frees and re-read the freelist from disk.</summary>
    private void RollbackAfterFailure(BoltDatabase db)
    {
        if (_db is null)
        {
            return;
        }
        db.Freelist.Rollback(_meta.TxId);
        db.ReloadFreelist();
        Close();
    }

    /// <summary>Ends an internal transaction the database never registered (used while opening).</summary>
    internal void ReleaseDetached()
    {
        foreach (var region in _regions)
        {
            region.Release();
        }
        _regions.Clear();
        _db = null;
    }

    private void Close()
    {
        var db = _db;
        if (db is null)
        {
            return;
        }
        if (Writable)
        {
            ReleaseDirtyPages(db);
            _arena?.Release();
            db.EndWrite(this);
        }
        else
        {
            db.EndRead(this);
        }
        foreach (var region in _regions)
        {
            region.Release();
        }
        _regions.Clear();
        _db = null;
    }
}
