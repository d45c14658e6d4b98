using Cairn.Server.Mvcc;
using Cairn.Storage;

namespace Cairn.Server.Watch;

/// <summary>
/// Watchers found by the key of an event (etcd's watcherGroup): single-key watchers through a
/// hash table, range watchers through their distinct ranges (many watchers on one prefix share
/// one entry). Adding and removing are O(1). The hub keeps its synced watchers in one (which
/// tracks each watcher's place, <see cref="Watcher.GroupSlot"/>, for removal); catch-up batches
/// and rounds keep their members in throw-away ones that do not.
/// </summary>
internal sealed class WatcherKeyIndex
{
    private readonly bool _trackSlots;
    private readonly Dictionary<byte[], List<Watcher>> _byKey = new(ByteArrayComparer.Instance);
    private readonly Dictionary<byte[], List<Watcher>>.AlternateLookup<ReadOnlySpan<byte>> _byKeySpan;
    private readonly List<RangeEntry> _ranges = [];

    /// <param name="trackSlots">Whether watchers are ever removed one by one (the synced group); a throw-away index is only cleared.</param>
    public WatcherKeyIndex(bool trackSlots = true)
    {
        _trackSlots = trackSlots;
        _byKeySpan = _byKey.GetAlternateLookup<ReadOnlySpan<byte>>();
    }

    public int Count { get; private set; }

    public void Add(Watcher watcher)
    {
        var list = ListFor(watcher, create: true)!;
        if (_trackSlots)
        {
            watcher.GroupSlot = list.Count;
        }
        list.Add(watcher);
        Count++;
    }

    public void Remove(Watcher watcher)
    {
        if (!_trackSlots)
        {
            throw new InvalidOperationException("this index does not track its watchers' places");
        }
        var list = ListFor(watcher, create: false)
            ?? throw new InvalidOperationException($"{watcher} is not in the group");
        int slot = watcher.GroupSlot;
        var last = list[^1];
        list[slot] = last;
        last.GroupSlot = slot;
        list.RemoveAt(list.Count - 1);
        watcher.GroupSlot = -1;
        Count--;
        if (list.Count == 0)
        {
            DropEmpty(watcher);
        }
    }

    /// <summary>Forgets every watcher at once.</summary>
    public void Clear()
    {
        _byKey.Clear();
        _ranges.Clear();
        Count = 0;
    }

    /// <summary>Adds to <paramref name="into"/> every watcher whose range holds <paramref name="key"/>.</summary>
    public void Collect(ReadOnlySpan<byte> key, List<Watcher> into)
    {
        if (_byKeySpan.TryGetValue(key, out var exact))
        {
            into.AddRange(exact);
        }
        foreach (var entry in _ranges)
        {
            if (entry.Range.Contains(key))
            {
                into.AddRange(entry.Watchers);
            }
        }
    }

    /// <summary>Every synced watcher (for periodic progress).</summary>
    public IEnumerable<Watcher> All()
    {
        foreach (var list in _byKey.Values)
        {
            foreach (var w in list)
            {
                yield return w;
            }
        }
        foreach (var entry in _ranges)
        {
            foreach (var w in entry.Watchers)
            {
                yield return w;
            }
        }
    }

    private List<Watcher>? ListFor(Watcher watcher, bool create)
    {
        var range = watcher.Range;
        if (range.IsSingleKey)
        {
            if (_byKeySpan.TryGetValue(range.Key.Span, out var list))
            {
                return list;
            }
            if (!create)
            {
                return null;
            }
            list = [];
            _byKey.Add(range.Key.ToArray(), list);
            return list;
        }
        foreach (var entry in _ranges)
        {
            if (SameRange(entry.Range, range))
            {
                return entry.Watchers;
            }
        }
        if (!create)
        {
            return null;
        }
        var added = new RangeEntry(range, []);
        _ranges.Add(added);
        return added.Watchers;
    }

    private void DropEmpty(Watcher watcher)
    {
        if (watcher.Range.IsSingleKey)
        {
            _byKeySpan.Remove(watcher.Range.Key.Span);
            return;
        }
        for (int i = 0; i < _ranges.Count; i++)
        {
            if (_ranges[i].Watchers.Count == 0)
            {
                _ranges[i] = _ranges[^1];
                _ranges.RemoveAt(_ranges.Count - 1);
                return;
            }
        }
    }

    private static bool SameRange(KeyRange a, KeyRange b) =>
        a.Key.Span.SequenceEqual(b.Key.Span) && a.End.Span.SequenceEqual(b.End.Span);

    private sealed record RangeEntry(KeyRange Range, List<Watcher> Watchers);
}

