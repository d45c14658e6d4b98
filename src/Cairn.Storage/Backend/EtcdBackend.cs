using Cairn.Storage.Bolt;

namespace Cairn.Storage.Backend;

/// <summary>
/// etcd 3.4's backend file (member/snap/db): a bolt database with etcd's buckets, opened as etcd
/// opens it (no freelist written, file populated into the page cache). The server reads and writes
/// it through <see cref="BackendReadTransaction"/> and <see cref="BackendWriteTransaction"/>;
/// batching commits and buffering reads of uncommitted writes are the server's business.
/// </summary>
public sealed class EtcdBackend : IDisposable
{
    private EtcdBackend(string path, BoltOptions options, BoltDatabase database)
    {
        Path = path;
        Options = options;
        Database = database;
    }

    /// <summary>The bolt options etcd 3.4 uses on Linux: NoFreelistSync and MAP_POPULATE.</summary>
    public static BoltOptions EtcdBoltOptions { get; } = new() { NoFreelistSync = true, Populate = true };

    public string Path { get; }

    public BoltOptions Options { get; }

    /// <summary>
    /// The underlying database (replaced by <see cref="Defragment"/>). Internal: the server goes
    /// through the typed operations, never the pages and byte keys underneath.
    /// </summary>
    internal BoltDatabase Database { get; private set; }

    /// <summary>
    /// Opens the backend at <paramref name="path"/>, creating the file and etcd's buckets (and the
    /// initial auth revision, as etcd's auth store does) when missing, unless opened read-only.
    /// </summary>
    public static EtcdBackend Open(string path, BoltOptions? options = null)
    {
        options ??= EtcdBoltOptions;
        var db = BoltDatabase.Open(path, options);
        try
        {
            if (!options.ReadOnly)
            {
                EnsureSchema(db);
            }
            return new EtcdBackend(path, options, db);
        }
        catch
        {
            db.Dispose();
            throw;
        }
    }

    public BackendReadTransaction BeginRead() => new(Database.BeginRead());

    public BackendWriteTransaction BeginWrite() => new(Database.BeginWrite());

    public async Task<BackendWriteTransaction> BeginWriteAsync(CancellationToken cancellationToken = default) =>
        new(await Database.BeginWriteAsync(cancellationToken).ConfigureAwait(false));

    /// <summary>The file's size (etcd's dbSize).</summary>
    public long Size => Database.Size;

    /// <summary>Bytes in use (etcd's dbSizeInUse).</summary>
    public long SizeInUse => Database.SizeInUse;

    /// <summary>What `etcdctl snapshot status` reports for the committed state.</summary>
    public SnapshotStatus Status()
    {
        using var tx = BeginRead();
        return BackendHashes.Status(tx);
    }

    /// <summary>Maintenance.Hash of the committed state.</summary>
    public uint Hash()
    {
        using var tx = BeginRead();
        return BackendHashes.Hash(tx);
    }

    /// <summary>The committed state as of now, to stream out later with its size known first (etcd's backend.Snapshot).</summary>
    public BackendFileSnapshot OpenSnapshot() => new(Database.BeginRead());

    /// <summary>Streams a consistent copy of the committed state (etcd's snapshot), returning its size.</summary>
    public async Task<long> WriteSnapshotAsync(Stream destination, CancellationToken cancellationToken = default)
    {
        using var snapshot = OpenSnapshot();
        return await snapshot.WriteToAsync(destination, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// etcd's defrag: copies everything into db.tmp.* next to the file (pages 90% full, a commit
    /// every 32 MiB), then replaces the file and reopens it. No transaction may be open.
    /// </summary>
    public void Defragment()
    {
        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path))!;
        var temporary = System.IO.Path.Combine(directory, $"db.tmp.{Guid.NewGuid():N}");
        try
        {
            Database.CompactTo(temporary, Options with { ReadOnly = false, NoSync = true }, maxTransactionBytes: 32L << 20, fillPercent: 0.9);
            Database.Dispose();
            File.Move(temporary, Path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
        Database = BoltDatabase.Open(Path, Options);
    }

    public void Dispose() => Database.Dispose();

    private static void EnsureSchema(BoltDatabase db)
    {
        using var tx = db.BeginWrite();
        var changed = false;
        foreach (var name in BackendBuckets.All)
        {
            var bytes = System.Text.Encoding.ASCII.GetBytes(name);
            if (tx.Bucket(bytes) is null)
            {
                tx.CreateBucket(bytes);
                changed = true;
            }
        }
        var auth = tx.Bucket(BackendBuckets.Auth)!;
        if (!auth.TryGet(BackendKeys.AuthRevision, out _))
        {
            Span<byte> one = stackalloc byte[8];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(one, 1);
            auth.Put(BackendKeys.AuthRevision, one);
            changed = true;
        }
        if (changed)
        {
            tx.Commit();
        }
    }
}
