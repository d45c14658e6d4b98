using System.Collections.Immutable;
using Cairn.Protocol.Etcdserverpb;
using Cairn.Protocol.Mvccpb;
using Cairn.Server.Errors;
using Google.Protobuf;

namespace Cairn.Server.Tests.Apply;

/// <summary>
/// The simplest model of etcd's KV semantics: the whole key space kept for every revision
/// (one immutable map per revision), requests answered from it by brute force. Slow and
/// obviously right; the applier is checked against it.
/// </summary>
internal sealed class ReferenceKvModel
{
    private sealed record Entry(ByteString Value, long Create, long Mod, long Version);

    private static readonly IComparer<string> Bytewise = StringComparer.Ordinal;

    // history[rev] = the key space at revision rev; revision 1 is the empty store.
    private readonly List<ImmutableSortedDictionary<string, Entry>> _history =
        [ImmutableSortedDictionary.Create<string, Entry>(Bytewise), ImmutableSortedDictionary.Create<string, Entry>(Bytewise)];

    private long _compacted = -1;

    private long Current => _history.Count - 1;

    // Keys are latin1 strings so that ordinal order is byte order.
    private static string K(ByteString b) => string.Concat(b.Span.ToArray().Select(x => (char)x));

    private static ByteString B(string s) => ByteString.CopyFrom(s.Select(c => (byte)c).ToArray());

    private static KeyValue Kv(string key, Entry e) => new()
    {
        Key = B(key), Value = e.Value, CreateRevision = e.Create, ModRevision = e.Mod, Version = e.Version,
    };

    private static IEnumerable<KeyValuePair<string, Entry>> Select(ImmutableSortedDictionary<string, Entry> state, ByteString key, ByteString end)
    {
        string k = K(key);
        if (end.IsEmpty)
        {
            return state.TryGetValue(k, out var e) ? [new(k, e)] : [];
        }
        bool open = end.Length == 1 && end[0] == 0;
        string en = K(end);
        return state.Where(p => Bytewise.Compare(p.Key, k) >= 0 && (open || Bytewise.Compare(p.Key, en) < 0));
    }

    public (IMessage? Response, EtcdError? Error) Range(RangeRequest r)
    {
        if (r.Revision > Current)
        {
            return (null, EtcdErrors.FutureRevision);
        }
        long at = r.Revision <= 0 ? Current : r.Revision;
        if (at < _compacted)
        {
            return (null, EtcdErrors.Compacted);
        }
        return (RangeOn(_history[(int)at], r, Current), null);
    }

    private static RangeResponse RangeOn(ImmutableSortedDictionary<string, Entry> state, RangeRequest r, long headerRevision)
    {
        var all = Select(state, r.Key, r.RangeEnd).Select(p => Kv(p.Key, p.Value)).ToList();
        var response = new RangeResponse { Header = new ResponseHeader { Revision = headerRevision }, Count = all.Count };
        if (r.CountOnly)
        {
            return response;
        }
        IEnumerable<KeyValue> kvs = all;
        bool filters = r.MaxModRevision != 0 || r.MinModRevision != 0 || r.MaxCreateRevision != 0 || r.MinCreateRevision != 0;
        if (r.Limit > 0 && r.SortOrder == RangeRequest.Types.SortOrder.None && !filters)
        {
            // etcd reads limit + 1 keys in key order before sorting, when no order is given
            // (even if a target other than the key asks for one).
            kvs = kvs.Take((int)r.Limit + 1);
        }
        kvs = kvs.Where(kv =>
            (r.MaxModRevision == 0 || kv.ModRevision <= r.MaxModRevision) &&
            (r.MinModRevision == 0 || kv.ModRevision >= r.MinModRevision) &&
            (r.MaxCreateRevision == 0 || kv.CreateRevision <= r.MaxCreateRevision) &&
            (r.MinCreateRevision == 0 || kv.CreateRevision >= r.MinCreateRevision));
        var order = r.SortOrder;
        if (r.SortTarget != RangeRequest.Types.SortTarget.Key && order == RangeRequest.Types.SortOrder.None)
        {
            order = RangeRequest.Types.SortOrder.Ascend;
        }
        if (order != RangeRequest.Types.SortOrder.None)
        {
            Func<KeyValue, string> by = r.SortTarget switch
            {
                RangeRequest.Types.SortTarget.Version => kv => $"{kv.Version:D12}",
                RangeRequest.Types.SortTarget.Create => kv => $"{kv.CreateRevision:D12}",
                RangeRequest.Types.SortTarget.Mod => kv => $"{kv.ModRevision:D12}",
                RangeRequest.Types.SortTarget.Value => kv => K(kv.Value),
                _ => kv => K(kv.Key),
            };
            // LINQ's sort is stable: ties stay in key order.
            kvs = order == RangeRequest.Types.SortOrder.Descend
                ? kvs.OrderByDescending(by, Bytewise)
                : kvs.OrderBy(by, Bytewise);
        }
        var list = kvs.ToList();
        if (r.Limit > 0 && list.Count > r.Limit)
        {
            list = list.Take((int)r.Limit).ToList();
            response.More = true;
        }
        if (r.KeysOnly)
        {
            list.ForEach(kv => kv.Value = ByteString.Empty);
        }
        response.Kvs.AddRange(list);
        return response;
    }

    public (IMessage? Response, EtcdError? Error) Put(PutRequest p)
    {
        if (p.Lease != 0)
        {
            return (null, EtcdErrors.LeaseNotFound);
        }
        var work = new Work(this);
        if ((p.IgnoreValue || p.IgnoreLease) && !work.State.ContainsKey(K(p.Key)))
        {
            return (null, EtcdErrors.KeyNotFound);
        }
        var response = work.Put(p);
        work.Commit();
        return (response, null);
    }

    public (IMessage? Response, EtcdError? Error) DeleteRange(DeleteRangeRequest d)
    {
        var work = new Work(this);
        var response = work.Delete(d);
        work.Commit();
        return (response, null);
    }

    public (IMessage? Response, EtcdError? Error) Compact(CompactionRequest c)
    {
        if (c.Revision <= _compacted)
        {
            return (null, EtcdErrors.Compacted);
        }
        if (c.Revision > Current)
        {
            return (null, EtcdErrors.FutureRevision);
        }
        _compacted = c.Revision;
        return (new CompactionResponse { Header = new ResponseHeader { Revision = Current } }, null);
    }

    public (IMessage? Response, EtcdError? Error) Txn(TxnRequest t)
    {
        var before = _history[^1];
        // Every compare, nested ones too, sees the state before the transaction.
        if (FindCheckError(before, t) is { } error)
        {
            return (null, error);
        }
        var work = new Work(this);
        var response = work.Txn(t, before);
        work.Commit();
        response.Header.Revision = work.HeaderRevision;
        return (response, null);
    }

    private static bool Holds(ImmutableSortedDictionary<string, Entry> state, Compare c)
    {
        var kvs = Select(state, c.Key, c.RangeEnd).Select(p => Kv(p.Key, p.Value)).ToList();
        if (kvs.Count == 0)
        {
            if (c.Target == Compare.Types.CompareTarget.Value)
            {
                return false;
            }
            kvs.Add(new KeyValue());
        }
        return kvs.All(kv =>
        {
            int cmp = c.Target switch
            {
                Compare.Types.CompareTarget.Value => Bytewise.Compare(K(kv.Value), K(c.Value)),
                Compare.Types.CompareTarget.Version => kv.Version.CompareTo(c.Version),
                Compare.Types.CompareTarget.Create => kv.CreateRevision.CompareTo(c.CreateRevision),
                Compare.Types.CompareTarget.Mod => kv.ModRevision.CompareTo(c.ModRevision),
                _ => kv.Lease.CompareTo(c.Lease),
            };
            return c.Result switch
            {
                Compare.Types.CompareResult.Equal => cmp == 0,
                Compare.Types.CompareResult.NotEqual => cmp != 0,
                Compare.Types.CompareResult.Greater => cmp > 0,
                _ => cmp < 0,
            };
        });
    }

    // As etcd: puts on the path are checked first (write transactions only), then ranges.
    private EtcdError? FindCheckError(ImmutableSortedDictionary<string, Entry> before, TxnRequest t)
    {
        var path = new List<RequestOp>();
        CollectPath(before, t, path);
        bool isWrite = t.Success.Concat(t.Failure).Any(op => op.RequestCase != RequestOp.RequestOneofCase.RequestRange);
        foreach (var op in path.Where(op => isWrite && op.RequestCase == RequestOp.RequestOneofCase.RequestPut))
        {
            var put = op.RequestPut;
            if ((put.IgnoreValue || put.IgnoreLease) && !before.ContainsKey(K(put.Key)))
            {
                return EtcdErrors.KeyNotFound;
            }
            if (put.Lease != 0)
            {
                return EtcdErrors.LeaseNotFound;
            }
        }
        foreach (var op in path.Where(op => op.RequestCase == RequestOp.RequestOneofCase.RequestRange && op.RequestRange.Revision != 0))
        {
            if (op.RequestRange.Revision > Current)
            {
                return EtcdErrors.FutureRevision;
            }
            if (op.RequestRange.Revision < _compacted)
            {
                return EtcdErrors.Compacted;
            }
        }
        return null;
    }

    private static void CollectPath(ImmutableSortedDictionary<string, Entry> before, TxnRequest t, List<RequestOp> path)
    {
        foreach (var op in t.Compare.All(c => Holds(before, c)) ? t.Success : t.Failure)
        {
            if (op.RequestCase == RequestOp.RequestOneofCase.RequestTxn)
            {
                CollectPath(before, op.RequestTxn, path);
            }
            else
            {
                path.Add(op);
            }
        }
    }

    /// <summary>One write request in progress: changes go to a working copy at the next revision.</summary>
    private sealed class Work(ReferenceKvModel model)
    {
        private readonly long _next = model.Current + 1;
        private bool _changed;

        public ImmutableSortedDictionary<string, Entry> State { get; private set; } = model._history[^1];

        public long HeaderRevision => _changed ? _next : _next - 1;

        public PutResponse Put(PutRequest p)
        {
            string k = K(p.Key);
            State.TryGetValue(k, out var old);
            var response = new PutResponse { Header = new ResponseHeader { Revision = _next } };
            if (p.PrevKv && old is not null)
            {
                response.PrevKv = Kv(k, old);
            }
            var value = p.IgnoreValue ? old!.Value : p.Value;
            State = State.SetItem(k, new Entry(value, old?.Create ?? _next, _next, (old?.Version ?? 0) + 1));
            _changed = true;
            return response;
        }

        public DeleteRangeResponse Delete(DeleteRangeRequest d)
        {
            var doomed = Select(State, d.Key, d.RangeEnd).ToList();
            var response = new DeleteRangeResponse { Deleted = doomed.Count };
            if (d.PrevKv)
            {
                response.PrevKvs.AddRange(doomed.Select(p => Kv(p.Key, p.Value)));
            }
            State = State.RemoveRange(doomed.Select(p => p.Key));
            _changed |= doomed.Count > 0;
            response.Header = new ResponseHeader { Revision = HeaderRevision };
            return response;
        }

        public TxnResponse Txn(TxnRequest t, ImmutableSortedDictionary<string, Entry> before)
        {
            bool succeeded = t.Compare.All(c => Holds(before, c));
            var response = new TxnResponse { Header = new ResponseHeader(), Succeeded = succeeded };
            foreach (var op in succeeded ? t.Success : t.Failure)
            {
                response.Responses.Add(op.RequestCase switch
                {
                    RequestOp.RequestOneofCase.RequestRange => new ResponseOp { ResponseRange = RangeOn(State, op.RequestRange, HeaderRevision) },
                    RequestOp.RequestOneofCase.RequestPut => new ResponseOp { ResponsePut = Put(op.RequestPut) },
                    RequestOp.RequestOneofCase.RequestDeleteRange => new ResponseOp { ResponseDeleteRange = Delete(op.RequestDeleteRange) },
                    _ => new ResponseOp { ResponseTxn = Txn(op.RequestTxn, before) },
                });
            }
            return response;
        }

        public void Commit()
        {
            if (_changed)
            {
                model._history.Add(State);
            }
        }
    }
}
