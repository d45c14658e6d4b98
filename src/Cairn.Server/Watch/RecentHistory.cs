namespace Cairn.Server.Watch;

/// <summary>
/// The last revisions dispatched to watchers, kept in memory so a watcher slightly behind catches
/// up without the backend: one whose stream was full for a moment, one a catch-up round left a
/// few revisions short because writes kept coming, a client resuming from a recent revision.
/// Bounded by a number of revisions and of bytes; the oldest go first. Used under the hub's lock.
/// </summary>
internal sealed class RecentHistory
{
    private readonly RevisionEvents?[] _ring;
    private readonly long _maxBytes;
    private int _start;
    private int _count;
    private long _bytes;

    public RecentHistory(int revisions, long maxBytes)
    {
        _ring = new RevisionEvents?[Math.Max(1, revisions)];
        _maxBytes = maxBytes;
    }

    /// <summary>The oldest revision held, or long.MaxValue when empty.</summary>
    public long OldestRevision => _count == 0 ? long.MaxValue : _ring[_start]!.Revision;

    /// <summary>Appends the newest revision (revisions arrive in increasing order, not necessarily contiguous).</summary>
    public void Add(RevisionEvents revision)
    {
        if (_count == _ring.Length)
        {
            DropOldest();
        }
        _ring[(_start + _count) % _ring.Length] = revision;
        _count++;
        _bytes += revision.Bytes;
        while (_bytes > _maxBytes && _count > 1)
        {
            DropOldest();
        }
    }

    /// <summary>Forgets everything (the store was replaced).</summary>
    public void Clear()
    {
        Array.Clear(_ring);
        _start = 0;
        _count = 0;
        _bytes = 0;
    }

    /// <summary>
    /// True when every revision from <paramref name="from"/> to the newest dispatched one is held:
    /// every dispatched revision is added, so it is enough that the oldest held is not after it.
    /// </summary>
    public bool Covers(long from) => _count > 0 && _ring[_start]!.Revision <= from;

    /// <summary>Number of held revisions from <paramref name="from"/> on.</summary>
    public int CountFrom(long from) => _count - FirstAtOrAfter(from);

    /// <summary>The held revisions from <paramref name="from"/> on, oldest first.</summary>
    public IEnumerable<RevisionEvents> From(long from)
    {
        for (int i = FirstAtOrAfter(from); i < _count; i++)
        {
            yield return _ring[(_start + i) % _ring.Length]!;
        }
    }

    /// <summary>The position (0 = oldest) of the first held revision at or after <paramref name="from"/>: revisions are held in order.</summary>
    private int FirstAtOrAfter(long from)
    {
        int lo = 0, hi = _count;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (_ring[(_start + mid) % _ring.Length]!.Revision < from)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }
        return lo;
    }

    private void DropOldest()
    {
        _bytes -= _ring[_start]!.Bytes;
        _ring[_start] = null;
        _start = (_start + 1) % _ring.Length;
        _count--;
    }
}
