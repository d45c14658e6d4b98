using Cairn.Protocol.Raftpb;

namespace Cairn.Raft.Log;

/// <summary>
/// The tail of the log not yet persisted by the application (and an incoming snapshot not yet
/// persisted); etcd's unstable. Entry i lives at _buf[_start + (i - Offset)].
/// </summary>
/// <remarks>
/// Ready hands out views of _buf. A slot is never written twice within one array: appends go past
/// the end, and truncation or growth moves the live entries to a fresh array. So a view taken
/// earlier stays exactly what it was.
/// </remarks>
internal sealed class UnstableLog
{
    private Entry[] _buf = new Entry[64];
    private int _start;
    private int _count;

    public UnstableLog(ulong offset)
    {
        Offset = offset;
    }

    /// <summary>The index of the first unstable entry.</summary>
    public ulong Offset { get; private set; }

    public Snapshot? Snapshot { get; private set; }

    public int Count => _count;

    public ArraySegment<Entry> Entries => new(_buf, _start, _count);

    public bool TryFirstIndex(out ulong index)
    {
        if (Snapshot is not null)
        {
            index = Snapshot.Metadata.Index + 1;
            return true;
        }
        index = 0;
        return false;
    }

    public bool TryLastIndex(out ulong index)
    {
        if (_count != 0)
        {
            index = Offset + (ulong)_count - 1;
            return true;
        }
        if (Snapshot is not null)
        {
            index = Snapshot.Metadata.Index;
            return true;
        }
        index = 0;
        return false;
    }

    public bool TryTerm(ulong i, out ulong term)
    {
        if (i < Offset)
        {
            if (Snapshot is not null && Snapshot.Metadata.Index == i)
            {
                term = Snapshot.Metadata.Term;
                return true;
            }
            term = 0;
            return false;
        }
        if (!TryLastIndex(out var last) || i > last)
        {
            term = 0;
            return false;
        }
        term = _buf[_start + (int)(i - Offset)].Term;
        return true;
    }

    /// <summary>Entries up to i (of term t) are now persisted and leave the unstable tail.</summary>
    public void StableTo(ulong i, ulong t)
    {
        if (!TryTerm(i, out var gt))
        {
            return;
        }
        // Only if the entry is still the one persisted: a newer leader may have replaced it since.
        if (gt == t && i >= Offset)
        {
            var n = (int)(i + 1 - Offset);
            _start += n;
            _count -= n;
            Offset = i + 1;
        }
    }

    public void StableSnapTo(ulong i)
    {
        if (Snapshot is not null && Snapshot.Metadata.Index == i)
        {
            Snapshot = null;
        }
    }

    public void Restore(Snapshot snapshot)
    {
        Offset = snapshot.Metadata.Index + 1;
        _buf = new Entry[64];
        _start = 0;
        _count = 0;
        Snapshot = snapshot;
    }

    /// <summary>Appends one entry that directly follows the tail (a leader's own proposal).</summary>
    public void Append(Entry e)
    {
        if (_start + _count == _buf.Length)
        {
            Grow(_count + 1);
        }
        _buf[_start + _count] = e;
        _count++;
    }

    /// <summary>
    /// Appends src[from..], whose first entry has index after; entries from after on are replaced.
    /// </summary>
    public void TruncateAndAppend(IReadOnlyList<Entry> src, int from)
    {
        var after = src[from].Index;
        var n = src.Count - from;
        if (after == Offset + (ulong)_count)
        {
            if (_start + _count + n > _buf.Length)
            {
                Grow(_count + n);
            }
        }
        else if (after <= Offset)
        {
            // The new entries replace everything unstable.
            Offset = after;
            _buf = new Entry[Math.Max(64, n * 2)];
            _start = 0;
            _count = 0;
        }
        else
        {
            // Keep [Offset, after), replace the rest.
            var keep = (int)(after - Offset);
            var buf = new Entry[Math.Max(64, (keep + n) * 2)];
            Array.Copy(_buf, _start, buf, 0, keep);
            _buf = buf;
            _start = 0;
            _count = keep;
        }
        var at = _start + _count;
        for (var i = 0; i < n; i++)
        {
            _buf[at + i] = src[from + i];
        }
        _count += n;
    }

    /// <summary>The entries in [lo, hi), which must lie within the unstable tail.</summary>
    public ArraySegment<Entry> Slice(ulong lo, ulong hi)
    {
        var upper = Offset + (ulong)_count;
        if (lo > hi || lo < Offset || hi > upper)
        {
            throw new RaftStateException($"unstable.slice[{lo},{hi}) out of bound [{Offset},{upper}]");
        }
        return new ArraySegment<Entry>(_buf, _start + (int)(lo - Offset), (int)(hi - lo));
    }

    private void Grow(int needed)
    {
        var buf = new Entry[Math.Max(64, Math.Max(needed, _count * 2))];
        Array.Copy(_buf, _start, buf, 0, _count);
        _buf = buf;
        _start = 0;
    }
}
