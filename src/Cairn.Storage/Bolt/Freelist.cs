using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Cairn.Storage.Bolt.Format;

namespace Cairn.Storage.Bolt;

/// <summary>
/// bbolt's array freelist (freelist.go): a sorted array of free page ids, plus pages freed by
/// write transactions that stay pending, keyed by the freeing transaction id, until no open reader
/// can still see them. On disk it is one page (with overflow) listing free and pending ids sorted;
/// a count of 0xFFFF means the real count is the first element.
/// </summary>
internal sealed class Freelist
{
    private readonly string _file;

    // Free ids live in _ids[_start.._start+_count), sorted; allocating from the front just moves _start.
    private ulong[] _ids = [];
    private int _start;
    private int _count;

    private readonly Dictionary<ulong, ulong> _allocs = new();
    private readonly Dictionary<ulong, TxPending> _pending = new();
    private readonly HashSet<ulong> _cache = new();

    public Freelist(string file)
    {
        _file = file;
    }

    private sealed class TxPending
    {
        public readonly List<ulong> Ids = new();
        public readonly List<ulong> AllocTx = new();
        public ulong LastReleaseBegin;
    }

    public int FreeCount => _count;

    public int PendingCount
    {
        get
        {
            var n = 0;
            foreach (var p in _pending.Values)
            {
                n += p.Ids.Count;
            }
            return n;
        }
    }

    public int Count => FreeCount + PendingCount;

    public ReadOnlySpan<ulong> FreeIds => _ids.AsSpan(_start, _count);

    /// <summary>Bytes the freelist takes when written (header plus ids, plus the count element past 64k).</summary>
    public int SerializedSize()
    {
        var n = Count;
        if (n >= 0xFFFF)
        {
            n++;
        }
        return PageLayout.HeaderSize + (8 * n);
    }

    /// <summary>Whether a page is free or pending.</summary>
    public bool IsFreed(ulong pgid) => _cache.Contains(pgid);

    /// <summary>
    /// The first run of <paramref name="n"/> contiguous free pages, taken off the list and
    /// recorded as allocated by <paramref name="txid"/>; 0 when there is none.
    /// </summary>
    public ulong Allocate(ulong txid, int n)
    {
        if (_count == 0)
        {
            return 0;
        }
        ulong initial = 0, previous = 0;
        for (var i = 0; i < _count; i++)
        {
            var id = _ids[_start + i];
            if (id <= 1)
            {
                throw BoltErrors.Corrupt(_file, id, "listed as free, but pages 0 and 1 hold the meta");
            }
            if (previous == 0 || id - previous != 1)
            {
                initial = id;
            }
            if (id - initial + 1 == (ulong)n)
            {
                if (i + 1 == n)
                {
                    _start += n;
                }
                else
                {
                    Array.Copy(_ids, _start + i + 1, _ids, _start + i - n + 1, _count - i - 1);
                }
                _count -= n;
                for (ulong k = 0; k < (ulong)n; k++)
                {
                    _cache.Remove(initial + k);
                }
                _allocs[initial] = txid;
                return initial;
            }
            previous = id;
        }
        return 0;
    }

    /// <summary>Marks a page and its overflow as freed by <paramref name="txid"/> (pending until released).</summary>
    public void Free(ulong txid, ulong pgid, uint overflow, bool isFreelistPage)
    {
        if (pgid <= 1)
        {
            throw BoltErrors.Corrupt(_file, pgid, "cannot free page 0 or 1 (meta)");
        }
        if (!_pending.TryGetValue(txid, out var txp))
        {
            txp = new TxPending();
            _pending[txid] = txp;
        }
        if (_allocs.Remove(pgid, out var allocTx))
        {
            // allocated by a transaction this process saw
        }
        else if (isFreelistPage)
        {
            // The freelist page is always written by the previous transaction.
            allocTx = txid - 1;
        }
        else
        {
            allocTx = 0;
        }
        for (var id = pgid; id <= pgid + overflow; id++)
        {
            if (!_cache.Add(id))
            {
                throw BoltErrors.Corrupt(_file, id, "already freed (referenced twice?)");
            }
            txp.Ids.Add(id);
            txp.AllocTx.Add(allocTx);
        }
    }

    /// <summary>Moves the pages freed by <paramref name="txid"/> and older onto the free list.</summary>
    public void Release(ulong txid)
    {
        var released = new List<ulong>();
        foreach (var (tid, txp) in _pending)
        {
            if (tid <= txid)
            {
                released.AddRange(txp.Ids);
                _pending.Remove(tid);
            }
        }
        MergeSpans(released);
    }

    /// <summary>
    /// Releases pages freed by transactions in [begin, end] that were also allocated within that
    /// range: no reader outside the range can have seen them.
    /// </summary>
    public void ReleaseRange(ulong begin, ulong end)
    {
        if (begin > end)
        {
            return;
        }
        List<ulong>? released = null;
        foreach (var (tid, txp) in _pending)
        {
            if (tid < begin || tid > end || txp.LastReleaseBegin == begin)
            {
                continue;
            }
            for (var i = 0; i < txp.Ids.Count; i++)
            {
                var atx = txp.AllocTx[i];
                if (atx < begin || atx > end)
                {
                    continue;
                }
                (released ??= new()).Add(txp.Ids[i]);
                var last = txp.Ids.Count - 1;
                txp.Ids[i] = txp.Ids[last];
                txp.Ids.RemoveAt(last);
                txp.AllocTx[i] = txp.AllocTx[last];
                txp.AllocTx.RemoveAt(last);
                i--;
            }
            txp.LastReleaseBegin = begin;
            if (txp.Ids.Count == 0)
            {
                _pending.Remove(tid);
            }
        }
        if (released is not null)
        {
            MergeSpans(released);
        }
    }

    /// <summary>Undoes the frees of an aborted transaction.</summary>
    public void Rollback(ulong txid)
    {
        if (!_pending.Remove(txid, out var txp))
        {
            return;
        }
        var back = new List<ulong>();
        for (var i = 0; i < txp.Ids.Count; i++)
        {
            var pgid = txp.Ids[i];
            _cache.Remove(pgid);
            var tx = txp.AllocTx[i];
            if (tx == 0)
            {
                continue;
            }
            if (tx != txid)
            {
                _allocs[pgid] = tx;
            }
            else
            {
                back.Add(pgid);
            }
        }
        MergeSpans(back);
    }

    /// <summary>Reads a freelist page: every id in it becomes free.</summary>
    public unsafe void Read(Page page, ulong highWaterMark)
    {
        if ((page.Flags & PageLayout.FreelistPageFlag) == 0)
        {
            throw page.Corrupt($"expected a freelist page, found a {page.TypeName} page");
        }
        var ids = ReadIds(page, highWaterMark);
        Array.Sort(ids);
        SetFreeIds(ids);
    }

    /// <summary>The ids of a freelist page, validated against the page extent and the high water mark.</summary>
    public static unsafe ulong[] ReadIds(Page page, ulong highWaterMark)
    {
        var index = 0;
        long count = page.Count;
        var data = page.Ptr + PageLayout.HeaderSize;
        if (count == 0xFFFF)
        {
            index = 1;
            count = (long)Unsafe.ReadUnaligned<ulong>(data);
        }
        if (PageLayout.HeaderSize + ((count + index) * 8) > page.Extent)
        {
            throw page.Corrupt($"freelist of {count} ids does not fit in {page.Extent} bytes");
        }
        var ids = new ulong[count];
        for (var i = 0; i < count; i++)
        {
            var id = Unsafe.ReadUnaligned<ulong>(data + ((index + i) * 8));
            if (id < 2 || id >= highWaterMark)
            {
                throw page.Corrupt($"freelist entry {i} is page {id}, outside [2, {highWaterMark})");
            }
            ids[i] = id;
        }
        return ids;
    }

    /// <summary>Replaces the free ids (sorted) and rebuilds the lookup cache.</summary>
    public void SetFreeIds(ulong[] sortedIds)
    {
        _ids = sortedIds;
        _start = 0;
        _count = sortedIds.Length;
        Reindex();
    }

    /// <summary>Re-reads the free ids after a failed commit, leaving out pages still pending.</summary>
    public void Reload(ulong[] ids)
    {
        var pendingIds = new HashSet<ulong>();
        foreach (var txp in _pending.Values)
        {
            pendingIds.UnionWith(txp.Ids);
        }
        var kept = ids.Where(id => !pendingIds.Contains(id)).ToArray();
        Array.Sort(kept);
        SetFreeIds(kept);
    }

    public unsafe void Write(Span<byte> page)
    {
        fixed (byte* p = page)
        {
            Write(p, page.Length);
        }
    }

    /// <summary>Writes every free and pending id, sorted, into a freelist page (bbolt writes pending ids too: after a crash they are free).</summary>
    public unsafe void Write(byte* page, int extent)
    {
        var l = Count;
        var flags = (ushort)(Unsafe.ReadUnaligned<ushort>(page + 8) | PageLayout.FreelistPageFlag);
        Unsafe.WriteUnaligned(page + 8, flags);
        if (SerializedSize() > extent)
        {
            throw new InvalidOperationException($"freelist of {l} ids does not fit in {extent} bytes");
        }
        var data = new Span<ulong>(page + PageLayout.HeaderSize, l + (l >= 0xFFFF ? 1 : 0));
        if (l >= 0xFFFF)
        {
            Unsafe.WriteUnaligned(page + 10, (ushort)0xFFFF);
            data[0] = (ulong)l;
            CopyAll(data[1..]);
        }
        else
        {
            Unsafe.WriteUnaligned(page + 10, (ushort)l);
            CopyAll(data);
        }
    }

    /// <summary>All free and pending ids, sorted, into <paramref name="destination"/> (length <see cref="Count"/>).</summary>
    public void CopyAll(Span<ulong> destination)
    {
        var pendingIds = new List<ulong>(PendingCount);
        foreach (var txp in _pending.Values)
        {
            pendingIds.AddRange(txp.Ids);
        }
        pendingIds.Sort();
        Merge(FreeIds, CollectionsMarshal.AsSpan(pendingIds), destination);
    }

    private void Reindex()
    {
        _cache.Clear();
        foreach (var id in FreeIds)
        {
            _cache.Add(id);
        }
        foreach (var txp in _pending.Values)
        {
            _cache.UnionWith(txp.Ids);
        }
    }

    private void MergeSpans(List<ulong> released)
    {
        if (released.Count == 0)
        {
            return;
        }
        released.Sort();
        var merged = new ulong[_count + released.Count];
        Merge(FreeIds, CollectionsMarshal.AsSpan(released), merged);
        _ids = merged;
        _start = 0;
        _count = merged.Length;
    }

    private static void Merge(ReadOnlySpan<ulong> a, ReadOnlySpan<ulong> b, Span<ulong> destination)
    {
        int i = 0, j = 0, k = 0;
        while (i < a.Length && j < b.Length)
        {
            destination[k++] = a[i] <= b[j] ? a[i++] : b[j++];
        }
        while (i < a.Length)
        {
            destination[k++] = a[i++];
        }
        while (j < b.Length)
        {
            destination[k++] = b[j++];
        }
    }
}
