using Cairn.Storage.Bolt.Format;
using Cairn.Storage.Bolt.Storage;

namespace Cairn.Storage.Bolt;

/// <summary>
/// A bbolt-format database file: a copy-on-write B+tree of buckets, read through a memory map and
/// written with positioned writes and fdatasync, byte-compatible with go.etcd.io/bbolt (and so with
/// etcd's member/snap/db). Many readers and one writer run at once; readers see the state of the
/// last commit before they began and never wait for the writer, nor it for them. A file lock
/// (flock, as bbolt's) keeps a second process from opening the file for writing.
/// </summary>
public sealed partial class BoltDatabase : IDisposable
{
    private const long MaxMmapStep = 1L << 30;
    private const long MaxMapSize = 0xFFFFFFFFFFFF;

    private readonly object _metaLock = new();
    private readonly object _statsLock = new();
    private readonly SemaphoreSlim _writerLock = new(1, 1);
    private readonly List<BoltTransaction> _readers = new();
    private MapRegion _region;
    private Meta _meta;
    private Freelist? _freelist;
    private long _fileSize;
    private bool _open = true;
    private BoltStats _stats = new();

    private BoltDatabase(string path, BoltOptions options, DatabaseFile file, int pageSize)
    {
        Path = path;
        Options = options;
        File = file;
        PageSize = pageSize;
        _region = null!;
    }

    public string Path { get; }

    public BoltOptions Options { get; }

    public int PageSize { get; }

    public bool IsReadOnly => Options.ReadOnly;

    internal DatabaseFile File { get; }

    internal PinnedBufferPool BufferPool { get; } = new();

    internal long MapSize => _region.Length;

    internal Freelist Freelist => _freelist ?? throw new InvalidOperationException("freelist not loaded");

    /// <summary>
    /// Opens (creating when missing, unless read-only) the database at <paramref name="path"/>,
    /// takes the file lock and maps the file. Fails with a <see cref="BoltException"/> naming the
    /// file when neither meta page is valid or the file is damaged.
    /// </summary>
    public static BoltDatabase Open(string path, BoltOptions? options = null)
    {
        options ??= BoltOptions.Default;
        var file = DatabaseFile.Open(path, options.ReadOnly, options.FileMode);
        file.CrashBeforeWrite = options.CrashBeforeWrite;
        BoltDatabase? db = null;
        try
        {
            file.Lock(exclusive: !options.ReadOnly, options.LockTimeout);
            var pageSize = options.PageSize;
            var length = file.Length;
            if (length == 0)
            {
                if (options.ReadOnly)
                {
                    throw BoltErrors.InvalidMeta(path, BoltErrorCode.Invalid, "invalid database (empty file)");
                }
                Initialize(file, pageSize);
            }
            else
            {
                pageSize = ReadPageSize(file, pageSize);
            }
            db = new BoltDatabase(path, options, file, pageSize);
            db.MapAndLoadMeta();
            if (!options.ReadOnly)
            {
                db.LoadFreelist();
                if (!options.NoFreelistSync && !db._meta.HasSyncedFreelist)
                {
                    // Write a freelist now so that readers unaware of NoFreelistSync can open the file.
                    db.BeginWrite().Commit();
                }
            }
            return db;
        }
        catch
        {
            if (db is not null)
            {
                db.Dispose();
            }
            else
            {
                file.Dispose();
            }
            throw;
        }
    }

    /// <summary>Starts a read transaction on the last committed state. Never waits for the writer.</summary>
    public BoltTransaction BeginRead()
    {
        BoltTransaction tx;
        int open;
        lock (_metaLock)
        {
            EnsureOpen();
            tx = new BoltTransaction(this, writable: false, _meta, _region.Acquire());
            _readers.Add(tx);
            open = _readers.Count;
        }
        lock (_statsLock)
        {
            _stats = _stats with { TxN = _stats.TxN + 1, OpenTxN = open };
        }
        return tx;
    }

    /// <summary>Starts the write transaction, waiting while another one is open.</summary>
    public BoltTransaction BeginWrite()
    {
        EnsureWritable();
        _writerLock.Wait();
        return StartWriter();
    }

    /// <summary>Starts the write transaction, waiting asynchronously while another one is open.</summary>
    public async Task<BoltTransaction> BeginWriteAsync(CancellationToken cancellationToken = default)
    {
        EnsureWritable();
        await _writerLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        return StartWriter();
    }

    /// <summary>Runs <paramref name="action"/> in a write transaction and commits it (rolls back on an exception).</summary>
    public void Update(Action<BoltTransaction> action)
    {
        using var tx = BeginWrite();
        action(tx);
        tx.Commit();
    }

    /// <summary>Runs <paramref name="read"/> in a read transaction.</summary>
    public T View<T>(Func<BoltTransaction, T> read)
    {
        using var tx = BeginRead();
        return read(tx);
    }

    /// <summary>Statistics as of the last transaction that closed.</summary>
    public BoltStats Stats
    {
        get
        {
            lock (_statsLock)
            {
                return _stats with { TxStats = _stats.TxStats.Clone() };
            }
        }
    }

    /// <summary>The file's size on disk (it can hold free pages and preallocated space).</summary>
    public long FileSize => File.Length;

    /// <summary>The committed database size: high water mark times page size (what a snapshot copies).</summary>
    public long Size
    {
        get
        {
            lock (_metaLock)
            {
                return (long)_meta.Pgid * PageSize;
            }
        }
    }

    /// <summary>Bytes in use: <see cref="Size"/> less the free pages, as etcd reports dbSizeInUse.</summary>
    public long SizeInUse => Size - ((long)Stats.FreePageN * PageSize);

    /// <summary>Runs <see cref="BoltTransaction.Check"/> in a write transaction (read-only databases: a read transaction).</summary>
    public IReadOnlyList<string> Check()
    {
        using var tx = IsReadOnly ? BeginRead() : BeginWrite();
        return tx.Check();
    }

    /// <summary>fdatasync the file (useful after commits made with <see cref="BoltOptions.NoSync"/>).</summary>
    public void Sync() => File.DataSync();

    /// <summary>Waits for the writer, then closes the file (dropping the lock). Open readers keep their map.</summary>
    public void Dispose()
    {
        lock (_metaLock)
        {
            if (!_open)
            {
                return;
            }
        }
        _writerLock.Wait();
        try
        {
            lock (_metaLock)
            {
                if (!_open)
                {
                    return;
                }
                _open = false;
                _region?.Release();
                _freelist = null;
            }
            File.Dispose();
        }
        finally
        {
            _writerLock.Release();
        }
    }

    private BoltTransaction StartWriter()
    {
        try
        {
            lock (_metaLock)
            {
                EnsureOpen();
                var tx = new BoltTransaction(this, writable: true, _meta, _region.Acquire());
                ReleasePendingPages();
                return tx;
            }
        }
        catch
        {
            _writerLock.Release();
            throw;
        }
    }

    /// <summary>bbolt's freePages: pages freed before the oldest reader, or between readers, become free.</summary>
    private void ReleasePendingPages()
    {
        var ids = new ulong[_readers.Count];
        for (var i = 0; i < ids.Length; i++)
        {
            ids[i] = _readers[i].Id;
        }
        Array.Sort(ids);
        var minimum = ids.Length > 0 ? ids[0] : ulong.MaxValue;
        if (minimum > 0)
        {
            Freelist.Release(minimum - 1);
        }
        foreach (var id in ids)
        {
            if (id > 0)
            {
                Freelist.ReleaseRange(minimum, id - 1);
            }
            minimum = id + 1;
        }
        Freelist.ReleaseRange(minimum, ulong.MaxValue);
    }

    internal void EndRead(BoltTransaction tx)
    {
        int open;
        lock (_metaLock)
        {
            _readers.Remove(tx);
            open = _readers.Count;
        }
        lock (_statsLock)
        {
            var total = _stats.TxStats.Clone();
            total.Add(tx.TxStats);
            _stats = _stats with { OpenTxN = open, TxStats = total };
        }
    }

    internal void EndWrite(BoltTransaction tx)
    {
        var freelist = _freelist;
        lock (_statsLock)
        {
            var total = _stats.TxStats.Clone();
            total.Add(tx.TxStats);
            _stats = freelist is null
                ? _stats with { TxStats = total }
                : _stats with
                {
                    FreePageN = freelist.FreeCount,
                    PendingPageN = freelist.PendingCount,
                    FreeAlloc = (long)(freelist.FreeCount + freelist.PendingCount) * PageSize,
                    FreelistInuse = freelist.SerializedSize(),
                    TxStats = total,
                };
        }
        _writerLock.Release();
    }

    /// <summary>Publishes a commit's meta to new readers.</summary>
    internal void Committed(Meta meta)
    {
        lock (_metaLock)
        {
            _meta = meta;
        }
    }

    /// <summary>Maps a larger region (bbolt's growth policy) for a writer that needs pages past the map; readers keep the old one.</summary>
    internal MapRegion Remap(long minimumSize)
    {
        var size = MmapSize(Math.Max(File.Length, minimumSize));
        // MAP_POPULATE only on open: populating every larger map again would reread the whole file.
        var region = MapRegion.Map(File.Descriptor, size, populate: false, Path);
        MapRegion old;
        lock (_metaLock)
        {
            old = _region;
            _region = region;
        }
        old.Release();
        return region.Acquire();
    }

    /// <summary>bbolt's grow: extend the file ahead of use (in AllocSize steps once large) and fsync its size.</summary>
    internal void Grow(long size)
    {
        if (size <= _fileSize)
        {
            return;
        }
        size = MapSize < Options.AllocSize ? MapSize : size + Options.AllocSize;
        if (!Options.NoGrowSync && !Options.ReadOnly)
        {
            File.Truncate(size);
            File.Sync();
        }
        _fileSize = size;
    }

    /// <summary>Re-reads the free pages after a failed commit.</summary>
    internal void ReloadFreelist()
    {
        Meta meta;
        lock (_metaLock)
        {
            meta = _meta;
        }
        Freelist.Reload(meta.HasSyncedFreelist ? ReadFreelistIds(meta) : ScanFreePages(meta));
    }

    /// <summary>The freelist of a read-only database, loaded for a consistency check.</summary>
    internal Freelist LoadedFreelist()
    {
        lock (_metaLock)
        {
            if (_freelist is null)
            {
                LoadFreelist();
            }
            return _freelist!;
        }
    }

    /// <summary>bbolt's mmapSize: powers of two from 32 KiB to 1 GiB, then 1 GiB steps.</summary>
    internal long MmapSize(long size)
    {
        for (var i = 15; i <= 30; i++)
        {
            if (size <= 1L << i)
            {
                return 1L << i;
            }
        }
        if (size > MaxMapSize)
        {
            throw new BoltException(BoltErrorCode.Io, $"bolt: {Path}: mmap too large ({size} bytes)");
        }
        var sz = size;
        var remainder = sz % MaxMmapStep;
        if (remainder > 0)
        {
            sz += MaxMmapStep - remainder;
        }
        if (sz % PageSize != 0)
        {
            sz = ((sz / PageSize) + 1) * PageSize;
        }
        return Math.Min(sz, MaxMapSize);
    }

    private void EnsureOpen()
    {
        if (!_open)
        {
            throw BoltErrors.DatabaseNotOpen(Path);
        }
    }

    private void EnsureWritable()
    {
        if (Options.ReadOnly)
        {
            throw BoltErrors.DatabaseReadOnly(Path);
        }
    }
}
