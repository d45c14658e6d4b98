namespace Cairn.Storage.Bolt;

/// <summary>How to open a database (bbolt's Options plus the DB fields bbolt lets callers set).</summary>
public sealed record BoltOptions
{
    /// <summary>bbolt's options: page size 4096, synced commits, synced freelist, wait forever for the lock.</summary>
    public static BoltOptions Default { get; } = new();

    /// <summary>Open read-only, with a shared lock; write transactions fail.</summary>
    public bool ReadOnly { get; init; }

    /// <summary>How long to wait for the file lock; zero waits forever (bbolt's Timeout).</summary>
    public TimeSpan LockTimeout { get; init; }

    /// <summary>Page size of a new file (an existing file keeps its own).</summary>
    public int PageSize { get; init; } = 4096;

    /// <summary>Smallest map size in bytes; a large value avoids remaps as the file grows.</summary>
    public long InitialMmapSize { get; init; }

    /// <summary>Skip fdatasync on commit. Unsafe: for tests, benchmarks and bulk loads only.</summary>
    public bool NoSync { get; init; }

    /// <summary>Skip ftruncate+fsync when the file grows (bbolt's NoGrowSync).</summary>
    public bool NoGrowSync { get; init; }

    /// <summary>
    /// Do not write the freelist on commit; rebuild it by scanning the tree on open. etcd 3.4
    /// opens its backend this way, so its files carry no freelist page.
    /// </summary>
    public bool NoFreelistSync { get; init; }

    /// <summary>Read the file into the page cache when mapping it (MAP_POPULATE; etcd sets it).</summary>
    public bool Populate { get; init; }

    /// <summary>Check the whole database after every commit and fail the commit on an error. Slow.</summary>
    public bool StrictMode { get; init; }

    /// <summary>Growth step once the file is past it (bbolt's AllocSize, 16 MiB).</summary>
    public long AllocSize { get; init; } = 16L * 1024 * 1024;

    /// <summary>
    /// Test hook simulating a crash: called before each write with (offset, length); returning less
    /// than length writes only that many bytes and fails the write, as if the process died there.
    /// </summary>
    internal Func<long, int, int>? CrashBeforeWrite { get; init; }

    /// <summary>Unix permission bits of a new file.</summary>
    public int FileMode { get; init; } = Convert.ToInt32("600", 8);
}
