namespace Cairn.Server.Lease;

/// <summary>
/// The leases by the time they are next due (etcd's LeaseExpiredNotifier): a binary min-heap
/// holding at most one entry per lease, so a renewal moves the lease's entry instead of adding
/// one. Peeking at the earliest is O(1), registering or moving an entry O(log n). Not
/// thread-safe: the lessor's lock covers it.
/// </summary>
internal sealed class LeaseExpiryQueue
{
    private readonly Dictionary<long, int> _positions = new();
    private readonly List<(long Id, TimeSpan Due)> _heap = new();

    public int Count => _heap.Count;

    /// <summary>Adds the lease, or moves its entry to <paramref name="due"/>.</summary>
    public void RegisterOrUpdate(long id, TimeSpan due)
    {
        if (_positions.TryGetValue(id, out int at))
        {
            var old = _heap[at].Due;
            _heap[at] = (id, due);
            if (due < old)
            {
                Up(at);
            }
            else
            {
                Down(at);
            }
            return;
        }
        _heap.Add((id, due));
        _positions[id] = _heap.Count - 1;
        Up(_heap.Count - 1);
    }

    /// <summary>The earliest entry; false when empty.</summary>
    public bool TryPeek(out long id, out TimeSpan due)
    {
        if (_heap.Count == 0)
        {
            (id, due) = (0, default);
            return false;
        }
        (id, due) = _heap[0];
        return true;
    }

    /// <summary>Removes the earliest entry.</summary>
    public void RemoveFirst()
    {
        if (_heap.Count == 0)
        {
            return;
        }
        _positions.Remove(_heap[0].Id);
        var last = _heap[^1];
        _heap.RemoveAt(_heap.Count - 1);
        if (_heap.Count > 0)
        {
            _heap[0] = last;
            _positions[last.Id] = 0;
            Down(0);
        }
    }

    public bool Contains(long id) => _positions.ContainsKey(id);

    public void Clear()
    {
        _heap.Clear();
        _positions.Clear();
    }

    private void Up(int at)
    {
        while (at > 0)
        {
            int parent = (at - 1) / 2;
            if (_heap[parent].Due <= _heap[at].Due)
            {
                return;
            }
            Swap(at, parent);
            at = parent;
        }
    }

    private void Down(int at)
    {
        while (true)
        {
            int left = 2 * at + 1, right = left + 1, smallest = at;
            if (left < _heap.Count && _heap[left].Due < _heap[smallest].Due)
            {
                smallest = left;
            }
            if (right < _heap.Count && _heap[right].Due < _heap[smallest].Due)
            {
                smallest = right;
            }
            if (smallest == at)
            {
                return;
            }
            Swap(at, smallest);
            at = smallest;
        }
    }

    private void Swap(int a, int b)
    {
        (_heap[a], _heap[b]) = (_heap[b], _heap[a]);
        _positions[_heap[a].Id] = a;
        _positions[_heap[b].Id] = b;
    }
}
