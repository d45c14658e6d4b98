using Cairn.Protocol.Mvccpb;
using Cairn.Server.Errors;

namespace Cairn.Server.Mvcc;

/// <summary>
/// etcd's MVCC key-value store: the history of every key, by revision. Each write transaction
/// that changes something gets the next main revision and numbers its changes with sub
/// revisions; a key keeps its create revision, mod revision and version (reset by a delete,
/// which leaves a tombstone); ranges read at any revision not yet compacted. The index of keys
/// to revisions lives in memory and is rebuilt from the backend's records when the store opens;
/// values stay in the backend.
/// </summary>
/// <remarks>
/// Threads: one writer (the apply loop) through <see cref="Write"/> and <see cref="Compact"/>;
/// readers on any thread through <see cref="Read"/>, never blocked for longer than an index
/// lookup; compactions run in the background, one at a time.
/// </remarks>
public sealed class MvccStore : IDisposable
{
    private readonly IRevisionBackend _backend;
    private readonly IKeyLeases _leases;
    private readonly MvccStoreOptions _options;
    private readonly CompactionQueue _compactions = new();
    private long _currentRevision = 1;
    private long _compactRevision = -1;

    /// <summary>Opens the store on a backend, rebuilding the index from its records.</summary>
    public MvccStore(IRevisionBackend backend, IKeyLeases? leases = null, MvccStoreOptions? options = null)
    {
        _backend = backend;
        _leases = leases ?? new NoKeyLeases();
        _options = options ?? new MvccStoreOptions();
        Index = new TreeIndex();
        Restore();
    }

    /// <summary>Told about every change; set before the apply loop starts.</summary>
    public IMvccChangeObserver? Observer { get; set; }

    /// <summary>The revision of the last completed write transaction (1 for an empty store).</summary>
    public long CurrentRevision => Volatile.Read(ref _currentRevision);

    /// <summary>The revision of the last compaction, -1 when none.</summary>
    public long CompactedRevision => Volatile.Read(ref _compactRevision);

    /// <summary>Keys in the index, deleted ones included until compaction drops them.</summary>
    public int IndexedKeyCount => Index.KeyCount;

    internal TreeIndex Index { get; }

    internal IKeyLeases Leases => _leases;

    /// <summary>A read transaction at the current revision.</summary>
    public MvccReadTxn Read() => new(this, CurrentRevision, CompactedRevision);

    /// <summary>
    /// Opens the write transaction; only one at a time, on the applying thread. Dispose ends it:
    /// if it changed anything, the current revision moves to the next one.
    /// </summary>
    public MvccWriteTxn Write() => new(this, _backend.BeginWrite(), CurrentRevision);

    internal void Publish(long revision) => Volatile.Write(ref _currentRevision, revision);

    /// <summary>
    /// Compacts the history at <paramref name="revision"/>: afterwards reads below it fail, and
    /// in the background the index and the backend drop every record no read at or above it
    /// can see. Refused with <see cref="EtcdErrors.Compacted"/> at or below the last compaction
    /// and <see cref="EtcdErrors.FutureRevision"/> above the current revision. Call it from the
    /// applying thread, outside a write transaction (it opens a backend write scope).
    /// </summary>
    public CompactionOutcome Compact(long revision)
    {
        if (revision <= CompactedRevision)
        {
            return new CompactionOutcome(EtcdErrors.Compacted, _compactions.WhenIdle());
        }
        if (revision > CurrentRevision)
        {
            return new CompactionOutcome(EtcdErrors.FutureRevision, Task.CompletedTask);
        }
        ScheduleCompaction(revision);
        return new CompactionOutcome(null, _compactions.Enqueue(stop => RunCompactionAsync(revision, stop)));
    }

    private void ScheduleCompaction(long revision)
    {
        Volatile.Write(ref _compactRevision, revision);
        using (var writer = _backend.BeginWrite())
        {
            writer.WriteScheduledCompaction(revision);
        }
        // Persist the intent now: a restart resumes it rather than forgetting it.
        _backend.ForceCommit();
    }

    private async Task RunCompactionAsync(long revision, CancellationToken stop)
    {
        var keep = Index.Compact(revision, stop);
        var end = new Revision(revision + 1, 0);
        var from = new Revision(0, 0);
        var batch = new List<(Revision Revision, bool IsTombstone)>(_options.CompactionBatchLimit);
        while (true)
        {
            batch.Clear();
            int scanned = 0;
            Revision last = default;
            _backend.ScanRecords(from, end, (rev, isTombstone, _) =>
            {
                scanned++;
                last = rev;
                if (!keep.Contains(rev))
                {
                    batch.Add((rev, isTombstone));
                }
                return scanned < _options.CompactionBatchLimit;
            });
            bool finished = scanned < _options.CompactionBatchLimit;
            using (var writer = _backend.BeginWrite())
            {
                foreach (var (rev, isTombstone) in batch)
                {
                    writer.DeleteRecord(rev, isTombstone);
                }
                if (finished)
                {
                    writer.WriteFinishedCompaction(revision);
                }
            }
            // Commit each batch rather than let the deletions pile up in the write buffer.
            _backend.ForceCommit();
            if (finished)
            {
                return;
            }
            from = new Revision(last.Main, last.Sub + 1);
            if (_options.CompactionBatchInterval > TimeSpan.Zero)
            {
                await Task.Delay(_options.CompactionBatchInterval, stop).ConfigureAwait(false);
            }
            stop.ThrowIfCancellationRequested();
        }
    }

    /// <summary>
    /// Reads a range at <paramref name="revision"/> as etcd's <c>rangeKeys</c> does, with one
    /// addition: the compacted revision is checked again after reading, so a read racing a
    /// compaction reports Compacted instead of silently missing keys.
    /// </summary>
    internal RangeResult RangeKeys(KeyRange range, long revision, RangeOptions options)
    {
        long at = options.Revision;
        if (at > revision)
        {
            throw EtcdErrors.FutureRevision.ToException();
        }
        if (at <= 0)
        {
            at = revision;
        }
        if (at < CompactedRevision)
        {
            throw EtcdErrors.Compacted.ToException();
        }
        var keys = new List<IndexedKey>();
        int limit = options.CountOnly ? 0 : options.Limit > 0 && options.Limit < int.MaxValue ? (int)options.Limit : -1;
        int count = Index.Range(range, at, limit, keys);
        var kvs = count == 0 || options.CountOnly ? [] : ReadKeyValues(keys);
        if (at < CompactedRevision)
        {
            // A compaction began while reading: what was read may miss what it removed.
            throw EtcdErrors.Compacted.ToException();
        }
        var result = new List<KeyValue>(kvs.Length);
        for (int i = 0; i < kvs.Length; i++)
        {
            result.Add(kvs[i] ?? throw new InvalidOperationException(
                $"mvcc: range at revision {at} found no record at revision {keys[i].Modified} for key {KeyIndex.Printable(keys[i].Key)}"));
        }
        return new RangeResult(result, count, revision);
    }

    internal KeyValue?[] ReadKeyValues(List<IndexedKey> keys)
    {
        var revisions = new Revision[keys.Count];
        for (int i = 0; i < revisions.Length; i++)
        {
            revisions[i] = keys[i].Modified;
        }
        var kvs = new KeyValue?[revisions.Length];
        _backend.ReadRecords(revisions, (position, bytes) => kvs[position] = KeyValue.Parser.ParseFrom(bytes));
        return kvs;
    }

    private void Restore()
    {
        var marks = _backend.ReadCompactionMarks();
        _compactRevision = marks.Finished;
        var rebuild = new IndexRebuild();
        _backend.ScanRecords(new Revision(1, 0), new Revision(long.MaxValue, long.MaxValue), (rev, isTombstone, bytes) =>
        {
            rebuild.Add(rev, isTombstone, bytes);
            return true;
        });
        Index.BulkLoad(rebuild.SortedKeys());
        // Records up to the compaction may all be gone: the revision is at least the compacted one.
        _currentRevision = Math.Max(rebuild.LastRevision, _compactRevision);
        foreach (var (key, lease) in rebuild.KeyLeases())
        {
            _leases.Attach(lease, key);
        }
        if (marks.Scheduled > 0 && marks.Scheduled > _compactRevision && marks.Scheduled <= _currentRevision)
        {
            // A compaction was interrupted: finish it.
            ScheduleCompaction(marks.Scheduled);
            _compactions.Enqueue(stop => RunCompactionAsync(marks.Scheduled, stop));
        }
    }

    /// <summary>Stops background compaction; an unfinished one resumes at the next open.</summary>
    public void Dispose() => _compactions.Dispose();
}
