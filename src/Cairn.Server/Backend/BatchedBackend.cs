using Cairn.Server.Mvcc;
using Cairn.Storage.Backend;
using StorageRevision = Cairn.Storage.Backend.Revision;

namespace Cairn.Server.Backend;

/// <summary>
/// etcd's backend on top of the bbolt file: one write transaction stays open across many applied
/// entries and is committed when <see cref="BatchLimit"/> writes have accumulated or every
/// <see cref="BatchInterval"/>, so the apply loop never pays two fsyncs per request. Durability of
/// an acknowledged write comes from the WAL, not from this commit: after a crash the entries
/// after the committed consistent index are applied again.
/// </summary>
/// <remarks>
/// Readers never wait for a commit: they read committed pages through their own bolt read
/// transactions and the records of the open batch from <see cref="UncommittedRecords"/>.
/// Everything written in one <see cref="BackendBatch"/> scope is committed together, so the
/// consistent index written with the data it covers is never committed without it.
/// </remarks>
public sealed class BatchedBackend : IRevisionBackend, IDisposable
{
    private readonly object _writeLock = new();
    private readonly UncommittedRecords _uncommitted = new();
    private readonly SharedExclusiveGate _files = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly EtcdBackend _db;
    private BackendWriteTransaction? _tx;
    private int _depth;
    private bool _disposed;
    private Exception? _failure;

    public BatchedBackend(EtcdBackend db, TimeSpan batchInterval, long batchLimit)
    {
        _db = db;
        BatchInterval = batchInterval;
        BatchLimit = batchLimit;
        _ = Task.Run(CommitPeriodicallyAsync);
    }

    public TimeSpan BatchInterval { get; }

    public long BatchLimit { get; }

    public string Path => _db.Path;

    /// <summary>The file's size (etcd's db size).</summary>
    public long Size => _db.Size;

    /// <summary>Bytes of the file in use (etcd's db size in use).</summary>
    public long SizeInUse => _db.SizeInUse;

    /// <summary>
    /// Raised once when a commit fails (disk full, I/O error). The backend then refuses new
    /// writes: what was applied but not committed is still in the WAL and is applied again at the
    /// next start, so the server must stop rather than go on acknowledging writes it cannot keep
    /// in the backend (etcd stops too).
    /// </summary>
    public event Action<Exception>? CommitFailed;

    /// <summary>How many batch commits have been made; for metrics and tests.</summary>
    public long Commits { get; private set; }

    /// <summary>
    /// Opens the write scope: the caller is the only writer until it disposes the batch. Commits
    /// wait for the scope to close. Scopes nest on one thread (the apply loop holds one around an
    /// entry while the MVCC store opens its own inside), and only the outermost one may commit,
    /// so an entry's effects and its consistent index are never split across two commits.
    /// </summary>
    public BackendBatch BeginBatch()
    {
        Monitor.Enter(_writeLock);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_failure is not null)
            {
                throw new IOException($"backend {Path}: an earlier commit failed: {_failure.Message}", _failure);
            }
            _tx ??= _db.BeginWrite();
            _depth++;
            return new BackendBatch(this, _tx);
        }
        catch
        {
            Monitor.Exit(_writeLock);
            throw;
        }
    }

    IRevisionWriter IRevisionBackend.BeginWrite() => BeginBatch();

    public void ReadRecords(ReadOnlySpan<Mvcc.Revision> revisions, RevisionRecordReader reader)
    {
        // The uncommitted records are looked at before the read transaction begins: a record a
        // commit moves out of them in between is then in the committed pages the transaction sees.
        var missing = new List<int>();
        for (int i = 0; i < revisions.Length; i++)
        {
            var value = _uncommitted.Get(revisions[i]);
            if (value is not null)
            {
                reader(i, value);
            }
            else
            {
                missing.Add(i);
            }
        }
        if (missing.Count == 0)
        {
            return;
        }
        _files.EnterShared();
        try
        {
            using var tx = _db.BeginRead();
            foreach (int i in missing)
            {
                var at = ToStorage(revisions[i]);
                foreach (var record in tx.Revisions(at, new StorageRevision(at.Main, at.Sub + 1)))
                {
                    if (!record.IsTombstone)
                    {
                        reader(i, record.Value);
                    }
                    break;
                }
            }
        }
        finally
        {
            _files.ExitShared();
        }
    }

    public void ScanRecords(Mvcc.Revision from, Mvcc.Revision to, RevisionRecordVisitor visitor)
    {
        var pending = _uncommitted.Range(from, to);
        int next = 0;
        _files.EnterShared();
        try
        {
            using var tx = _db.BeginRead();
            foreach (var record in tx.Revisions(ToStorage(from), ToStorage(to)))
            {
                var revision = FromStorage(record.Revision);
                while (next < pending.Length && pending[next].Revision < revision)
                {
                    if (!Visit(pending[next++], visitor))
                    {
                        return;
                    }
                }
                if (next < pending.Length && pending[next].Revision == revision)
                {
                    // Committed meanwhile: the same record twice; visit it once.
                    next++;
                }
                if (!visitor(revision, record.IsTombstone, record.Value))
                {
                    return;
                }
            }
        }
        finally
        {
            _files.ExitShared();
        }
        while (next < pending.Length)
        {
            if (!Visit(pending[next++], visitor))
            {
                return;
            }
        }
    }

    public CompactionMarks ReadCompactionMarks() => Read(tx => new CompactionMarks(
        tx.ScheduledCompactRevision ?? -1,
        tx.FinishedCompactRevision ?? -1));

    /// <summary>Reads committed state outside the key bucket (members, leases, meta...).</summary>
    public T Read<T>(Func<BackendReadTransaction, T> read)
    {
        _files.EnterShared();
        try
        {
            using var tx = _db.BeginRead();
            return read(tx);
        }
        finally
        {
            _files.ExitShared();
        }
    }

    /// <summary>Commits the open batch now (etcd's ForceCommit), e.g. before a raft snapshot.</summary>
    public void ForceCommit()
    {
        lock (_writeLock)
        {
            // Called from inside a scope on this thread, a commit would split the scope's writes.
            if (_depth == 0)
            {
                CommitLocked();
            }
        }
    }

    /// <summary>A consistent copy of everything applied so far, to stream out (Maintenance.Snapshot).</summary>
    public BackendSnapshot OpenSnapshot()
    {
        ForceCommit();
        _files.EnterShared();
        try
        {
            return new BackendSnapshot(_db.OpenSnapshot(), _files.ExitShared);
        }
        catch
        {
            _files.ExitShared();
            throw;
        }
    }

    /// <summary>The hash etcd's Maintenance.Hash reports, over everything applied so far.</summary>
    public uint Hash()
    {
        ForceCommit();
        return Read(BackendHashes.Hash);
    }

    /// <summary>
    /// Rewrites the file without free pages (etcd's defrag). Writers wait for it; readers that are
    /// running finish first and new ones wait.
    /// </summary>
    public Task DefragmentAsync(CancellationToken cancellationToken) =>
        Task.Factory.StartNew(() => Defragment(cancellationToken), cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private void Defragment(CancellationToken cancellationToken)
    {
        // The write lock first, then the file gate: the order the apply thread takes them in (it
        // reads committed records inside its write scope), so the two never wait on each other.
        lock (_writeLock)
        {
            _files.EnterExclusive(cancellationToken);
            try
            {
                CommitLocked();
                _db.Defragment();
            }
            finally
            {
                _files.ExitExclusive();
            }
        }
    }

    public void Dispose()
    {
        try
        {
            lock (_writeLock)
            {
                if (_disposed)
                {
                    return;
                }
                _disposed = true;
                _stop.Cancel();
                if (_failure is null)
                {
                    CommitLocked();
                }
            }
        }
        finally
        {
            _db.Dispose();
        }
    }

    /// <summary>Ends a <see cref="BackendBatch"/> scope, committing when the batch is full.</summary>
    internal void EndBatch()
    {
        try
        {
            _depth--;
            if (_depth == 0 && _tx is not null && _tx.PendingWrites >= BatchLimit)
            {
                CommitLocked();
            }
        }
        finally
        {
            Monitor.Exit(_writeLock);
        }
    }

    internal void RecordPut(Mvcc.Revision revision, bool isTombstone, ReadOnlySpan<byte> keyValue) =>
        _uncommitted.Put(revision, isTombstone, keyValue);

    internal void RecordDelete(Mvcc.Revision revision) => _uncommitted.Delete(revision);

    private void CommitLocked()
    {
        if (_tx is null)
        {
            return;
        }
        if (_failure is not null)
        {
            throw new IOException($"backend {Path}: an earlier commit failed: {_failure.Message}", _failure);
        }
        if (_tx.PendingWrites > 0)
        {
            try
            {
                _tx.Commit();
            }
            catch (Exception e)
            {
                // Keep the uncommitted records: reads stay consistent until the server stops.
                _failure = e;
                _tx = null;
                CommitFailed?.Invoke(e);
                throw;
            }
            Commits++;
        }
        else
        {
            _tx.Rollback();
        }
        _tx = null;
        _uncommitted.Clear();
    }

    private async Task CommitPeriodicallyAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(BatchInterval, _stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            lock (_writeLock)
            {
                if (!_disposed && _tx is { PendingWrites: > 0 })
                {
                    try
                    {
                        CommitLocked();
                    }
                    catch (Exception)
                    {
                        // Reported through CommitFailed; no commit will succeed any more.
                        return;
                    }
                }
            }
        }
    }

    private static bool Visit(UncommittedRecords.Record record, RevisionRecordVisitor visitor) =>
        visitor(record.Revision, record.IsTombstone, record.KeyValue);

    internal static StorageRevision ToStorage(Mvcc.Revision revision) => new(revision.Main, revision.Sub);

    private static Mvcc.Revision FromStorage(StorageRevision revision) => new(revision.Main, revision.Sub);
}
