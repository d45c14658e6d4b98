using Cairn.Protocol.Etcdserverpb;
using Cairn.Server.Errors;
using Google.Protobuf;
using Google.Protobuf.Collections;

namespace Cairn.Server.Api.Validation;

/// <summary>
/// etcd's rule against a transaction writing one key twice (<c>checkIntervals</c> in
/// <c>v3rpc/key.go</c>): within the operations that run together, no key may be put twice, nor
/// put and deleted. A nested transaction's success and failure branches are exclusive, so
/// both may put the same key; their puts and deletes count against the enclosing level.
/// </summary>
/// <remarks>
/// Kept exactly as etcd's interval arithmetic behaves, quirks included: a delete with range_end
/// "\0" (every key from the key on) is an interval ending at "\0", which contains no key, so it
/// never conflicts with a put.
/// </remarks>
public static class TxnDuplicateKeyRule
{
    /// <summary>Null when the operations write no key twice; else <see cref="EtcdErrors.DuplicateKey"/>.</summary>
    public static EtcdError? Check(RepeatedField<RequestOp> operations) =>
        Collect(operations, out _, out _) ? null : EtcdErrors.DuplicateKey;

    private static bool Collect(RepeatedField<RequestOp> operations, out HashSet<ByteString> puts, out DeleteIntervals deletes)
    {
        deletes = new DeleteIntervals();
        puts = [];
        foreach (var op in operations)
        {
            if (op.RequestCase == RequestOp.RequestOneofCase.RequestDeleteRange)
            {
                var d = op.RequestDeleteRange;
                deletes.Add(d.Key, d.RangeEnd.IsEmpty ? PointEnd(d.Key) : d.RangeEnd);
            }
        }
        foreach (var op in operations)
        {
            if (op.RequestCase != RequestOp.RequestOneofCase.RequestTxn)
            {
                continue;
            }
            if (!Collect(op.RequestTxn.Success, out var putsThen, out var deletesThen) ||
                !Collect(op.RequestTxn.Failure, out var putsElse, out var deletesElse))
            {
                return false;
            }
            foreach (var key in putsThen)
            {
                if (puts.Contains(key) || deletes.Contains(key.Span))
                {
                    return false;
                }
                puts.Add(key);
            }
            foreach (var key in putsElse)
            {
                // The same key in both branches is fine: only one of them runs.
                if ((puts.Contains(key) && !putsThen.Contains(key)) || deletes.Contains(key.Span))
                {
                    return false;
                }
                puts.Add(key);
            }
            deletes.AddAll(deletesThen);
            deletes.AddAll(deletesElse);
        }
        foreach (var op in operations)
        {
            if (op.RequestCase != RequestOp.RequestOneofCase.RequestPut)
            {
                continue;
            }
            var key = op.RequestPut.Key;
            if (puts.Contains(key) || deletes.Contains(key.Span))
            {
                return false;
            }
            puts.Add(key);
        }
        return true;
    }

    /// <summary>The end of the one-key interval [key, key + "\0").</summary>
    private static ByteString PointEnd(ByteString key)
    {
        var end = new byte[key.Length + 1];
        key.Span.CopyTo(end);
        return UnsafeByteOperations.UnsafeWrap(end);
    }

    /// <summary>
    /// Half-open key intervals [begin, end), an empty end meaning no bound (etcd's "affine"
    /// strings), asked whether any contains a key. Sorted by begin with a running maximum of
    /// ends, rebuilt when intervals were added since the last question: large transactions
    /// stay O(n log n) rather than the O(n²) of comparing every put with every delete.
    /// </summary>
    private sealed class DeleteIntervals
    {
        private readonly List<(ByteString Begin, ByteString End)> _intervals = [];
        private (ByteString Begin, ByteString End)[]? _sorted;
        private ByteString[]? _maxEndUpTo;

        public void Add(ByteString begin, ByteString end)
        {
            _intervals.Add((begin, end));
            _sorted = null;
        }

        public void AddAll(DeleteIntervals other)
        {
            foreach (var (begin, end) in other._intervals)
            {
                // etcd's union skips intervals ending at "\0" (they hold no key anyway).
                if (!(end.Length == 1 && end[0] == 0))
                {
                    Add(begin, end);
                }
            }
        }

        public bool Contains(ReadOnlySpan<byte> key)
        {
            if (_intervals.Count == 0)
            {
                return false;
            }
            if (_sorted is null)
            {
                _sorted = [.. _intervals];
                Array.Sort(_sorted, (a, b) => AffineCompare(a.Begin.Span, b.Begin.Span));
                _maxEndUpTo = new ByteString[_sorted.Length];
                var max = _sorted[0].End;
                for (int i = 0; i < _sorted.Length; i++)
                {
                    if (AffineCompare(_sorted[i].End.Span, max.Span) > 0)
                    {
                        max = _sorted[i].End;
                    }
                    _maxEndUpTo[i] = max;
                }
            }
            // The last interval beginning at or before the key; any of those reaching past it?
            int lo = 0, hi = _sorted.Length - 1, last = -1;
            while (lo <= hi)
            {
                int mid = (lo + hi) >>> 1;
                if (AffineCompare(_sorted[mid].Begin.Span, key) <= 0)
                {
                    last = mid;
                    lo = mid + 1;
                }
                else
                {
                    hi = mid - 1;
                }
            }
            return last >= 0 && AffineCompare(key, _maxEndUpTo![last].Span) < 0;
        }

        /// <summary>Byte order, with the empty string above every other.</summary>
        private static int AffineCompare(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
        {
            if (a.IsEmpty)
            {
                return b.IsEmpty ? 0 : 1;
            }
            return b.IsEmpty ? -1 : a.SequenceCompareTo(b);
        }
    }
}
