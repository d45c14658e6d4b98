namespace Cairn.Server.Mvcc;

/// <summary>A record read from the backend during a scan.</summary>
/// <returns>False to stop the scan.</returns>
public delegate bool RevisionRecordVisitor(Revision revision, bool isTombstone, ReadOnlySpan<byte> keyValue);

/// <summary>A record read by revision: <paramref name="position"/> is its place in the request.</summary>
public delegate void RevisionRecordReader(int position, ReadOnlySpan<byte> keyValue);

/// <summary>
/// Where the MVCC store keeps its history: etcd's <c>key</c> bucket (one record per revision:
/// the marshalled <c>mvccpb.KeyValue</c>, keyed by the revision, tombstones marked) and the
/// compaction marks of its <c>meta</c> bucket. The encoding of revisions into bucket keys is the
/// implementation's business; values go in and out as the KeyValue bytes etcd stores.
/// </summary>
/// <remarks>
/// Threads: one writer at a time through <see cref="BeginWrite"/> (the apply loop for changes,
/// the compactor for deletions; the implementation serialises the two). Reads come from any
/// thread and must see every record written before, including writes not yet committed to disk
/// (etcd's read buffer) and, for the thread holding a write scope, its own writes. A record
/// whose revision the store has published stays readable until compaction deletes it.
/// </remarks>
public interface IRevisionBackend
{
    /// <summary>
    /// Opens a write scope. Everything written in it is committed together: a commit on a timer
    /// or a batch limit must wait for the scope to close (etcd holds its batch transaction lock
    /// for the whole MVCC write transaction).
    /// </summary>
    IRevisionWriter BeginWrite();

    /// <summary>
    /// Reads the put records at <paramref name="revisions"/> (never tombstones), calling
    /// <paramref name="reader"/> with each one's position in the list. A revision without a
    /// record is skipped: the store treats it as compacted meanwhile.
    /// </summary>
    void ReadRecords(ReadOnlySpan<Revision> revisions, RevisionRecordReader reader);

    /// <summary>Visits the records with <paramref name="from"/> &lt;= revision &lt; <paramref name="to"/> in revision order.</summary>
    void ScanRecords(Revision from, Revision to, RevisionRecordVisitor visitor);

    /// <summary>The compaction marks, -1 for one never written.</summary>
    CompactionMarks ReadCompactionMarks();

    /// <summary>Commits what has been written now (etcd's ForceCommit), rather than on the timer.</summary>
    void ForceCommit();
}

/// <summary>A write scope of <see cref="IRevisionBackend"/>: one writer, closed by Dispose.</summary>
public interface IRevisionWriter : IDisposable
{
    void PutRecord(Revision revision, bool isTombstone, ReadOnlySpan<byte> keyValue);

    void DeleteRecord(Revision revision, bool isTombstone);

    /// <summary>etcd's <c>scheduledCompactRev</c>: a compaction at this revision has begun.</summary>
    void WriteScheduledCompaction(long revision);

    /// <summary>etcd's <c>finishedCompactRev</c>: the compaction at this revision is complete.</summary>
    void WriteFinishedCompaction(long revision);
}

/// <summary>etcd's <c>scheduledCompactRev</c> and <c>finishedCompactRev</c>; -1 when absent.</summary>
public readonly record struct CompactionMarks(long Scheduled, long Finished)
{
    public static CompactionMarks None => new(-1, -1);
}
