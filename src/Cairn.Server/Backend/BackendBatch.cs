using Cairn.Server.Mvcc;
using Cairn.Storage.Backend;

namespace Cairn.Server.Backend;

/// <summary>
/// The write scope of <see cref="BatchedBackend"/>: the MVCC store's revision records and every
/// other bucket etcd keeps (meta, members, leases, cluster, alarms, auth) written by one applier
/// and committed together. Dispose ends the scope; the commit itself happens on the batch policy.
/// </summary>
public sealed class BackendBatch : IRevisionWriter
{
    private readonly BatchedBackend _owner;
    private bool _ended;

    internal BackendBatch(BatchedBackend owner, BackendWriteTransaction transaction)
    {
        _owner = owner;
        Transaction = transaction;
    }

    /// <summary>The open bolt transaction, for buckets outside the key bucket.</summary>
    public BackendWriteTransaction Transaction { get; }

    public void PutRecord(Mvcc.Revision revision, bool isTombstone, ReadOnlySpan<byte> keyValue)
    {
        Transaction.PutRevision(BatchedBackend.ToStorage(revision), isTombstone, keyValue);
        _owner.RecordPut(revision, isTombstone, keyValue);
    }

    public void DeleteRecord(Mvcc.Revision revision, bool isTombstone)
    {
        Transaction.DeleteRevision(BatchedBackend.ToStorage(revision), isTombstone);
        _owner.RecordDelete(revision);
    }

    public void WriteScheduledCompaction(long revision)
    {
        Transaction.SetScheduledCompactRevision(revision);
    }

    public void WriteFinishedCompaction(long revision)
    {
        Transaction.SetFinishedCompactRevision(revision);
    }

    public void Dispose()
    {
        if (_ended)
        {
            return;
        }
        _ended = true;
        _owner.EndBatch();
    }
}
