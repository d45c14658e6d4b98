using Cairn.Protocol.Etcdserverpb;
using Cairn.Protocol.Mvccpb;
using Cairn.Server.Api.Validation;
using Cairn.Server.Errors;
using Cairn.Server.Mvcc;
using Google.Protobuf.Collections;

namespace Cairn.Server.Apply;

/// <summary>
/// A Txn request, as etcd's <c>applierV3backend.Txn</c>: every compare, nested ones included,
/// is evaluated first against the state before the transaction, which fixes the branch taken
/// at every level (the "path"); the requests on that path are checked; then the operations
/// run in one write transaction (one main revision, a sub revision per change), or in a read
/// transaction when the path cannot write.
/// </summary>
internal static class TxnExecutor
{
    /// <exception cref="EtcdException">A check failed; nothing was changed.</exception>
    public static TxnResponse Execute(MvccStore store, ILeaseLookup leases, TxnRequest request)
    {
        bool isWrite = !IsReadOnly(request);
        var view = store.Read();
        var path = new List<bool>();
        EvaluatePath(view, request, path);

        if (isWrite)
        {
            // etcd's API refuses these before proposing; checked again here so that no entry,
            // whoever proposed it, can make a write fail half-way through.
            if ((TxnDuplicateKeyRule.Check(request.Success) ?? TxnDuplicateKeyRule.Check(request.Failure)) is { } duplicate)
            {
                throw duplicate.ToException();
            }
            int at = 0;
            CheckOperations(view, request, path, ref at, op => CheckPut(view, leases, op));
        }
        int pos = 0;
        CheckOperations(view, request, path, ref pos, op => CheckRange(view, op));

        pos = 0;
        var response = NewResponse(request, path, ref pos);
        if (!isWrite)
        {
            pos = 0;
            Run(view, null, request, path, ref pos, response);
            response.Header.Revision = view.Revision;
            return response;
        }
        using var txn = store.Write();
        pos = 0;
        Run(txn, txn, request, path, ref pos, response);
        response.Header.Revision = txn.Changes.Count > 0 ? txn.Revision + 1 : txn.Revision;
        return response;
    }

    /// <summary>True when no branch at the top level holds anything but ranges (etcd's <c>isTxnReadonly</c>).</summary>
    public static bool IsReadOnly(TxnRequest request) =>
        request.Success.All(op => op.RequestCase == RequestOp.RequestOneofCase.RequestRange) &&
        request.Failure.All(op => op.RequestCase == RequestOp.RequestOneofCase.RequestRange);

    /// <summary>True when every operation is a serializable range (etcd's <c>isTxnSerializable</c>).</summary>
    public static bool IsSerializable(TxnRequest request) =>
        request.Success.All(op => op.RequestCase == RequestOp.RequestOneofCase.RequestRange && op.RequestRange.Serializable) &&
        request.Failure.All(op => op.RequestCase == RequestOp.RequestOneofCase.RequestRange && op.RequestRange.Serializable);

    private static RepeatedField<RequestOp> Branch(TxnRequest request, bool succeeded) =>
        succeeded ? request.Success : request.Failure;

    /// <summary>Appends the outcome of this transaction's compares, then of its nested ones on the branch taken.</summary>
    private static void EvaluatePath(IKvReadView view, TxnRequest request, List<bool> path)
    {
        bool succeeded = request.Compare.All(c => Compares(view, c));
        path.Add(succeeded);
        foreach (var op in Branch(request, succeeded))
        {
            if (op.RequestCase == RequestOp.RequestOneofCase.RequestTxn)
            {
                EvaluatePath(view, op.RequestTxn, path);
            }
        }
    }

    private static bool Compares(IKvReadView view, Compare compare)
    {
        List<KeyValue> kvs;
        try
        {
            kvs = view.Range(KeyRange.FromRequest(compare.Key.Memory, compare.RangeEnd.Memory), default).KeyValues;
        }
        catch (EtcdException)
        {
            return false;
        }
        if (kvs.Count == 0)
        {
            // A missing key has no value to compare (an empty value would be indistinguishable);
            // its revisions, version and lease compare as 0.
            return compare.Target != Compare.Types.CompareTarget.Value && Holds(compare, new KeyValue());
        }
        return kvs.All(kv => Holds(compare, kv));
    }

    private static bool Holds(Compare compare, KeyValue kv)
    {
        int result = compare.Target switch
        {
            Compare.Types.CompareTarget.Value => kv.Value.Span.SequenceCompareTo(
                compare.TargetUnionCase == Compare.TargetUnionOneofCase.Value ? compare.Value.Span : default),
            Compare.Types.CompareTarget.Create => kv.CreateRevision.CompareTo(
                compare.TargetUnionCase == Compare.TargetUnionOneofCase.CreateRevision ? compare.CreateRevision : 0),
            Compare.Types.CompareTarget.Mod => kv.ModRevision.CompareTo(
                compare.TargetUnionCase == Compare.TargetUnionOneofCase.ModRevision ? compare.ModRevision : 0),
            Compare.Types.CompareTarget.Version => kv.Version.CompareTo(
                compare.TargetUnionCase == Compare.TargetUnionOneofCase.Version ? compare.Version : 0),
            Compare.Types.CompareTarget.Lease => kv.Lease.CompareTo(
                compare.TargetUnionCase == Compare.TargetUnionOneofCase.Lease ? compare.Lease : 0),
            _ => 0,
        };
        return compare.Result switch
        {
            Compare.Types.CompareResult.Equal => result == 0,
            Compare.Types.CompareResult.NotEqual => result != 0,
            Compare.Types.CompareResult.Greater => result > 0,
            Compare.Types.CompareResult.Less => result < 0,
            _ => true,
        };
    }

    /// <summary>Runs <paramref name="check"/> on every operation along the path.</summary>
    private static void CheckOperations(IKvReadView view, TxnRequest request, List<bool> path, ref int pos, Action<RequestOp> check)
    {
        bool succeeded = path[pos++];
        foreach (var op in Branch(request, succeeded))
        {
            if (op.RequestCase == RequestOp.RequestOneofCase.RequestTxn)
            {
                CheckOperations(view, op.RequestTxn, path, ref pos, check);
            }
            else
            {
                check(op);
            }
        }
    }

    /// <summary>A put that needs the key's previous value needs the key; a lease must exist.</summary>
    private static void CheckPut(IKvReadView view, ILeaseLookup leases, RequestOp op)
    {
        if (op.RequestCase != RequestOp.RequestOneofCase.RequestPut)
        {
            return;
        }
        var put = op.RequestPut;
        if ((put.IgnoreValue || put.IgnoreLease) &&
            view.Range(KeyRange.Single(put.Key.Memory), default).KeyValues.Count == 0)
        {
            throw EtcdErrors.KeyNotFound.ToException();
        }
        if (put.Lease != 0 && !leases.Exists(put.Lease))
        {
            throw EtcdErrors.LeaseNotFound.ToException();
        }
    }

    /// <summary>A range at a revision must be one the store can serve.</summary>
    private static void CheckRange(IKvReadView view, RequestOp op)
    {
        if (op.RequestCase != RequestOp.RequestOneofCase.RequestRange)
        {
            return;
        }
        long revision = op.RequestRange.Revision;
        if (revision == 0)
        {
            return;
        }
        if (revision > view.Revision)
        {
            throw EtcdErrors.FutureRevision.ToException();
        }
        if (revision < view.FirstRevision)
        {
            throw EtcdErrors.Compacted.ToException();
        }
    }

    private static TxnResponse NewResponse(TxnRequest request, List<bool> path, ref int pos)
    {
        bool succeeded = path[pos++];
        var response = new TxnResponse { Header = new ResponseHeader(), Succeeded = succeeded };
        foreach (var op in Branch(request, succeeded))
        {
            var r = new ResponseOp();
            switch (op.RequestCase)
            {
                case RequestOp.RequestOneofCase.RequestRange:
                    r.ResponseRange = new RangeResponse();
                    break;
                case RequestOp.RequestOneofCase.RequestPut:
                    r.ResponsePut = new PutResponse();
                    break;
                case RequestOp.RequestOneofCase.RequestDeleteRange:
                    r.ResponseDeleteRange = new DeleteRangeResponse();
                    break;
                case RequestOp.RequestOneofCase.RequestTxn:
                    r.ResponseTxn = NewResponse(op.RequestTxn, path, ref pos);
                    break;
            }
            response.Responses.Add(r);
        }
        return response;
    }

    private static void Run(IKvReadView view, MvccWriteTxn? writer, TxnRequest request, List<bool> path, ref int pos, TxnResponse response)
    {
        var ops = Branch(request, path[pos++]);
        for (int i = 0; i < ops.Count; i++)
        {
            var op = ops[i];
            var r = response.Responses[i];
            try
            {
                switch (op.RequestCase)
                {
                    case RequestOp.RequestOneofCase.RequestRange:
                        r.ResponseRange = RangeExecutor.Execute(view, op.RequestRange);
                        break;
                    case RequestOp.RequestOneofCase.RequestPut:
                        r.ResponsePut = WriteExecutor.Put(writer!, op.RequestPut);
                        break;
                    case RequestOp.RequestOneofCase.RequestDeleteRange:
                        r.ResponseDeleteRange = WriteExecutor.DeleteRange(writer!, op.RequestDeleteRange);
                        break;
                    case RequestOp.RequestOneofCase.RequestTxn:
                        Run(view, writer, op.RequestTxn, path, ref pos, r.ResponseTxn);
                        break;
                }
            }
            catch (EtcdException e)
            {
                // The checks above rule this out; etcd panics here.
                throw new InvalidOperationException($"unexpected error during txn: {e.Message}", e);
            }
        }
    }
}
