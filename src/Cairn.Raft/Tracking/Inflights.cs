namespace Cairn.Raft.Tracking;

/// <summary>
/// The window of append messages sent to one follower and not yet acknowledged, each remembered by
/// its last index; a ring buffer that grows up to its size on demand (etcd's Inflights).
/// </summary>
internal sealed class Inflights
{
    private readonly int _size;
    private ulong[] _buffer = [];
    private int _start;
    private int _count;

    public Inflights(int size)
    {
        _size = size;
    }

    public int Count => _count;

    public int Size => _size;

    public bool Full => _count == _size;

    /// <summary>Records an append message whose last entry is at index inflight.</summary>
    public void Add(ulong inflight)
    {
        if (Full)
        {
            throw new RaftStateException("cannot add into a Full inflights");
        }
        var next = _start + _count;
        if (next >= _size)
        {
            next -= _size;
        }
        if (next >= _buffer.Length)
        {
            Grow();
        }
        _buffer[next] = inflight;
        _count++;
    }

    /// <summary>Frees every message whose last index is at most to.</summary>
    public void FreeLE(ulong to)
    {
        if (_count == 0 || to < _buffer[_start])
        {
            return;
        }
        var idx = _start;
        int i;
        for (i = 0; i < _count; i++)
        {
            if (to < _buffer[idx])
            {
                break;
            }
            if (++idx >= _size)
            {
                idx -= _size;
            }
        }
        _count -= i;
        _start = idx;
        if (_count == 0)
        {
            _start = 0;
        }
    }

    public void FreeFirstOne()
    {
        if (_count > 0)
        {
            FreeLE(_buffer[_start]);
        }
    }

    public void Reset()
    {
        _count = 0;
        _start = 0;
    }

    private void Grow()
    {
        var newSize = _buffer.Length * 2;
        if (newSize == 0)
        {
            newSize = 1;
        }
        else if (newSize > _size)
        {
            newSize = _size;
        }
        var buffer = new ulong[newSize];
        Array.Copy(_buffer, buffer, _buffer.Length);
        _buffer = buffer;
    }
}
