namespace Cairn.Storage.Bolt.Tree;

/// <summary>
/// One element of an in-memory node. Key and value point either into the memory map (valid while
/// the transaction holds its map region) or into the write transaction's pinned arena, so reading
/// a page into a node copies no key or value bytes.
/// </summary>
internal unsafe struct Inode
{
    public uint Flags;
    public ulong Pgid;
    public byte* Key;
    public int KeyLength;
    public byte* Value;
    public int ValueLength;

    public readonly ReadOnlySpan<byte> KeySpan => new(Key, KeyLength);

    public readonly ReadOnlySpan<byte> ValueSpan => new(Value, ValueLength);
}

/// <summary>A growable array of inodes with the insert/remove/split a node needs.</summary>
internal sealed class InodeList
{
    private Inode[] _items;

    public InodeList(int capacity = 0)
    {
        _items = capacity == 0 ? [] : new Inode[capacity];
    }

    public int Count { get; private set; }

    public ref Inode this[int index] => ref _items[index];

    public Span<Inode> AsSpan() => _items.AsSpan(0, Count);

    /// <summary>Index of the first inode whose key is not less than <paramref name="key"/> (lower bound).</summary>
    public int LowerBound(ReadOnlySpan<byte> key, out bool exact) => KeySearch.LowerBound(new InodeKeys(_items, Count), key, out exact);

    public void Insert(int index, in Inode inode)
    {
        if (Count == _items.Length)
        {
            Array.Resize(ref _items, Math.Max(8, _items.Length * 2));
        }
        if (index < Count)
        {
            Array.Copy(_items, index, _items, index + 1, Count - index);
        }
        _items[index] = inode;
        Count++;
    }

    public void Add(in Inode inode) => Insert(Count, inode);

    public void RemoveAt(int index)
    {
        Count--;
        if (index < Count)
        {
            Array.Copy(_items, index + 1, _items, index, Count - index);
        }
        _items[Count] = default;
    }

    public void AddRange(InodeList other)
    {
        var needed = Count + other.Count;
        if (needed > _items.Length)
        {
            Array.Resize(ref _items, Math.Max(needed, _items.Length * 2));
        }
        Array.Copy(other._items, 0, _items, Count, other.Count);
        Count = needed;
    }

    /// <summary>A new list holding a copy of <paramref name="count"/> inodes from <paramref name="start"/>.</summary>
    public InodeList Slice(int start, int count)
    {
        var slice = new InodeList(Math.Max(count, 4));
        Array.Copy(_items, start, slice._items, 0, count);
        slice.Count = count;
        return slice;
    }
}
