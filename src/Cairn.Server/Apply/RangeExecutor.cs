using Cairn.Protocol.Etcdserverpb;
using Cairn.Protocol.Mvccpb;
using Cairn.Server.Mvcc;

namespace Cairn.Server.Apply;

/// <summary>
/// A Range request against a view, as etcd's <c>applierV3backend.Range</c>: revision, limit
/// with the <c>more</c> flag, count, min/max mod and create revision filters, sort, keys only.
/// </summary>
internal static class RangeExecutor
{
    public static RangeResponse Execute(IKvReadView view, RangeRequest request)
    {
        bool filters = request.MinModRevision != 0 || request.MaxModRevision != 0 ||
            request.MinCreateRevision != 0 || request.MaxCreateRevision != 0;
        long limit = request.Limit;
        if (request.SortOrder != RangeRequest.Types.SortOrder.None || filters)
        {
            // Everything is needed to sort or filter; the limit applies afterwards.
            limit = 0;
        }
        if (limit > 0)
        {
            // One more than asked, to know whether there is more.
            limit = unchecked(limit + 1);
        }
        var result = view.Range(
            KeyRange.FromRequest(request.Key.Memory, request.RangeEnd.Memory),
            new RangeOptions(limit, request.Revision, request.CountOnly));

        var kvs = result.KeyValues;
        if (filters)
        {
            kvs.RemoveAll(kv =>
                (request.MaxModRevision != 0 && kv.ModRevision > request.MaxModRevision) ||
                (request.MinModRevision != 0 && kv.ModRevision < request.MinModRevision) ||
                (request.MaxCreateRevision != 0 && kv.CreateRevision > request.MaxCreateRevision) ||
                (request.MinCreateRevision != 0 && kv.CreateRevision < request.MinCreateRevision));
        }
        Sort(kvs, request.SortTarget, request.SortOrder);

        var response = new RangeResponse
        {
            Header = new ResponseHeader { Revision = result.Revision },
            Count = result.Count,
        };
        if (request.Limit > 0 && kvs.Count > request.Limit)
        {
            kvs.RemoveRange((int)request.Limit, kvs.Count - (int)request.Limit);
            response.More = true;
        }
        if (request.KeysOnly)
        {
            foreach (var kv in kvs)
            {
                kv.Value = Google.Protobuf.ByteString.Empty;
            }
        }
        response.Kvs.AddRange(kvs);
        return response;
    }

    /// <summary>
    /// Sorts as etcd does: by key the results already are, so only an explicit order sorts by
    /// key; any other target sorts ascending unless told otherwise. Ties keep key order (what
    /// etcd's sort gives for small results, and deterministic for large ones).
    /// </summary>
    private static void Sort(List<KeyValue> kvs, RangeRequest.Types.SortTarget target, RangeRequest.Types.SortOrder order)
    {
        if (target != RangeRequest.Types.SortTarget.Key && order == RangeRequest.Types.SortOrder.None)
        {
            order = RangeRequest.Types.SortOrder.Ascend;
        }
        if ((order != RangeRequest.Types.SortOrder.Ascend && order != RangeRequest.Types.SortOrder.Descend) || kvs.Count < 2)
        {
            return;
        }
        Comparison<KeyValue> byTarget = target switch
        {
            RangeRequest.Types.SortTarget.Version => (a, b) => a.Version.CompareTo(b.Version),
            RangeRequest.Types.SortTarget.Create => (a, b) => a.CreateRevision.CompareTo(b.CreateRevision),
            RangeRequest.Types.SortTarget.Mod => (a, b) => a.ModRevision.CompareTo(b.ModRevision),
            RangeRequest.Types.SortTarget.Value => (a, b) => a.Value.Span.SequenceCompareTo(b.Value.Span),
            // Key, and targets this version does not know (etcd would crash on those).
            _ => (a, b) => a.Key.Span.SequenceCompareTo(b.Key.Span),
        };
        int direction = order == RangeRequest.Types.SortOrder.Descend ? -1 : 1;
        kvs.Sort((a, b) =>
        {
            int c = direction * byTarget(a, b);
            return c != 0 ? c : a.Key.Span.SequenceCompareTo(b.Key.Span);
        });
    }
}
