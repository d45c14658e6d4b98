using Cairn.Protocol.Etcdserverpb;
using Cairn.Server.Errors;

namespace Cairn.Server.Api.Validation;

/// <summary>
/// The checks etcd makes on a KV request before proposing it (<c>v3rpc/key.go</c>), with the
/// same errors in the same order. Each returns null when the request may go on.
/// </summary>
public static class KvRequestChecks
{
    /// <summary>etcd's default for --max-txn-ops.</summary>
    public const int DefaultMaxTxnOps = 128;

    public static EtcdError? CheckRange(RangeRequest request) =>
        request.Key.IsEmpty ? EtcdErrors.EmptyKey : null;

    public static EtcdError? CheckPut(PutRequest request)
    {
        if (request.Key.IsEmpty)
        {
            return EtcdErrors.EmptyKey;
        }
        if (request.IgnoreValue && !request.Value.IsEmpty)
        {
            return EtcdErrors.ValueProvided;
        }
        if (request.IgnoreLease && request.Lease != 0)
        {
            return EtcdErrors.LeaseProvided;
        }
        return null;
    }

    public static EtcdError? CheckDeleteRange(DeleteRangeRequest request) =>
        request.Key.IsEmpty ? EtcdErrors.EmptyKey : null;

    /// <summary>
    /// The whole check of a Txn call: sizes and keys of every operation, nested transactions
    /// included, then the duplicate-key rule on each branch.
    /// </summary>
    public static EtcdError? CheckTxn(TxnRequest request, int maxTxnOps) =>
        CheckTxnOperations(request, maxTxnOps)
        ?? TxnDuplicateKeyRule.Check(request.Success)
        ?? TxnDuplicateKeyRule.Check(request.Failure);

    /// <summary>
    /// etcd's <c>checkTxnRequest</c>: no more than <paramref name="maxTxnOps"/> compares, success
    /// or failure operations, where a nested transaction gets what its parent left unused.
    /// </summary>
    private static EtcdError? CheckTxnOperations(TxnRequest request, int maxTxnOps)
    {
        int ops = Math.Max(request.Compare.Count, Math.Max(request.Success.Count, request.Failure.Count));
        if (ops > maxTxnOps)
        {
            return EtcdErrors.TooManyOps;
        }
        foreach (var compare in request.Compare)
        {
            if (compare.Key.IsEmpty)
            {
                return EtcdErrors.EmptyKey;
            }
        }
        foreach (var op in request.Success)
        {
            if (CheckOperation(op, maxTxnOps - ops) is { } error)
            {
                return error;
            }
        }
        foreach (var op in request.Failure)
        {
            if (CheckOperation(op, maxTxnOps - ops) is { } error)
            {
                return error;
            }
        }
        return null;
    }

    private static EtcdError? CheckOperation(RequestOp op, int maxTxnOps) => op.RequestCase switch
    {
        RequestOp.RequestOneofCase.RequestRange => CheckRange(op.RequestRange),
        RequestOp.RequestOneofCase.RequestPut => CheckPut(op.RequestPut),
        RequestOp.RequestOneofCase.RequestDeleteRange => CheckDeleteRange(op.RequestDeleteRange),
        RequestOp.RequestOneofCase.RequestTxn => CheckTxnOperations(op.RequestTxn, maxTxnOps),
        // An operation with nothing set: etcd answers "key not found".
        _ => EtcdErrors.KeyNotFound,
    };
}
