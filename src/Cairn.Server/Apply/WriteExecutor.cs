using Cairn.Protocol.Etcdserverpb;
using Cairn.Server.Errors;
using Cairn.Server.Mvcc;

namespace Cairn.Server.Apply;

/// <summary>Put and DeleteRange inside a write transaction, as etcd's applier does them.</summary>
internal static class WriteExecutor
{
    /// <exception cref="EtcdException">
    /// <see cref="EtcdErrors.KeyNotFound"/>: ignore_value or ignore_lease on a key that does not exist.
    /// </exception>
    public static PutResponse Put(MvccWriteTxn txn, PutRequest request)
    {
        var response = new PutResponse { Header = new ResponseHeader() };
        var value = request.Value;
        long lease = request.Lease;
        if (request.IgnoreValue || request.IgnoreLease || request.PrevKv)
        {
            var previous = txn.Range(KeyRange.Single(request.Key.Memory), default).KeyValues;
            if ((request.IgnoreValue || request.IgnoreLease) && previous.Count == 0)
            {
                throw EtcdErrors.KeyNotFound.ToException();
            }
            if (request.IgnoreValue)
            {
                value = previous[0].Value;
            }
            if (request.IgnoreLease)
            {
                lease = previous[0].Lease;
            }
            if (request.PrevKv && previous.Count > 0)
            {
                response.PrevKv = previous[0];
            }
        }
        response.Header.Revision = txn.Put(request.Key, value, lease);
        return response;
    }

    public static DeleteRangeResponse DeleteRange(MvccWriteTxn txn, DeleteRangeRequest request)
    {
        var response = new DeleteRangeResponse { Header = new ResponseHeader() };
        var range = KeyRange.FromRequest(request.Key.Memory, request.RangeEnd.Memory);
        if (request.PrevKv)
        {
            response.PrevKvs.AddRange(txn.Range(range, default).KeyValues);
        }
        (response.Deleted, response.Header.Revision) = txn.DeleteRange(range);
        return response;
    }
}
