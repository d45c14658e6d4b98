using Cairn.Protocol.Etcdserverpb;
using Cairn.Server.Errors;
using Cairn.Server.Mvcc;

namespace Cairn.Server.Apply;

/// <summary>
/// Applies the KV part of raft requests to the MVCC store (etcd's <c>applierV3backend</c>:
/// Range, Put, DeleteRange, Txn, Compaction), and serves the reads that do not go through
/// Raft (serializable ranges, read-only transactions) the same way. Call the writing methods
/// from the apply loop only; <see cref="Range"/> and read-only <see cref="Txn"/> from anywhere.
/// </summary>
public sealed class KvApplier
{
    private readonly MvccStore _store;
    private readonly ILeaseLookup _leases;

    public KvApplier(MvccStore store, ILeaseLookup? leases = null)
    {
        _store = store;
        _leases = leases ?? new NoLeases();
    }

    public MvccStore Store => _store;

    /// <summary>
    /// Applies a request if it is a KV one; null for the others (leases, auth, alarms...), which
    /// their own appliers handle.
    /// </summary>
    public ApplyResult? Apply(InternalRaftRequest request)
    {
        try
        {
            if (request.Range is { } range)
            {
                return ApplyResult.Success(Range(range));
            }
            if (request.Put is { } put)
            {
                return ApplyResult.Success(Put(put));
            }
            if (request.DeleteRange is { } deleteRange)
            {
                return ApplyResult.Success(DeleteRange(deleteRange));
            }
            if (request.Txn is { } txn)
            {
                return ApplyResult.Success(Txn(txn));
            }
            if (request.Compaction is { } compaction)
            {
                return Compaction(compaction);
            }
            return null;
        }
        catch (EtcdException e)
        {
            return ApplyResult.Failure(e.Error);
        }
    }

    /// <exception cref="EtcdException">Future or compacted revision.</exception>
    public RangeResponse Range(RangeRequest request) => RangeExecutor.Execute(_store.Read(), request);

    /// <exception cref="EtcdException">Unknown lease; ignore_value / ignore_lease on a missing key.</exception>
    public PutResponse Put(PutRequest request)
    {
        if (request.Lease != 0 && !_leases.Exists(request.Lease))
        {
            throw EtcdErrors.LeaseNotFound.ToException();
        }
        using var txn = _store.Write();
        return WriteExecutor.Put(txn, request);
    }

    public DeleteRangeResponse DeleteRange(DeleteRangeRequest request)
    {
        using var txn = _store.Write();
        return WriteExecutor.DeleteRange(txn, request);
    }

    /// <exception cref="EtcdException">A check on the operations of the branch taken failed.</exception>
    public TxnResponse Txn(TxnRequest request) => TxnExecutor.Execute(_store, _leases, request);

    /// <summary>
    /// Compacts the store. The result's <see cref="ApplyResult.PhysicalCompaction"/> completes
    /// when the backend has dropped the compacted records, also after a refusal (it then waits
    /// for the compactions already running, as etcd does).
    /// </summary>
    public ApplyResult Compaction(CompactionRequest request)
    {
        var outcome = _store.Compact(request.Revision);
        if (outcome.Error is { } error)
        {
            return ApplyResult.Failure(error, outcome.Physical);
        }
        var response = new CompactionResponse { Header = new ResponseHeader { Revision = _store.CurrentRevision } };
        return ApplyResult.Success(response, outcome.Physical);
    }

    /// <summary>Whether a Txn can be served without Raft (no write on any branch).</summary>
    public static bool IsReadOnly(TxnRequest request) => TxnExecutor.IsReadOnly(request);

    /// <summary>Whether a read-only Txn may be served from local state without a ReadIndex.</summary>
    public static bool IsSerializable(TxnRequest request) => TxnExecutor.IsSerializable(request);
}
