namespace Cairn.Storage.Bolt.Storage;

/// <summary>
/// Pinned memory a write transaction copies put keys and values (and new bucket values) into, so
/// that nodes can hold raw pointers to them like they hold pointers into the map. Chunks come from
/// and go back to the database's <see cref="PinnedBufferPool"/>: a put costs no GC allocation.
/// </summary>
internal sealed unsafe class TxArena
{
    private const int ChunkSize = 64 * 1024;
    private const int LargeThreshold = ChunkSize / 4;

    private readonly PinnedBufferPool _pool;
    private readonly List<byte[]> _chunks = new();
    private readonly List<byte[]> _large = new();
    private byte* _next;
    private int _left;

    public TxArena(PinnedBufferPool pool)
    {
        _pool = pool;
    }

    public byte* Copy(ReadOnlySpan<byte> data)
    {
        var p = Allocate(data.Length);
        data.CopyTo(new Span<byte>(p, data.Length));
        return p;
    }

    public byte* Allocate(int length)
    {
        if (length > LargeThreshold)
        {
            var large = GC.AllocateUninitializedArray<byte>(length, pinned: true);
            _large.Add(large);
            return (byte*)System.Runtime.CompilerServices.Unsafe.AsPointer(ref large[0]);
        }
        if (length > _left)
        {
            var chunk = _pool.Rent(ChunkSize);
            _chunks.Add(chunk);
            _next = (byte*)System.Runtime.CompilerServices.Unsafe.AsPointer(ref chunk[0]);
            _left = ChunkSize;
        }
        var p = _next;
        _next += length;
        _left -= length;
        return p;
    }

    /// <summary>Returns the chunks to the pool; nothing may point into the arena afterwards.</summary>
    public void Release()
    {
        foreach (var chunk in _chunks)
        {
            _pool.Return(chunk);
        }
        _chunks.Clear();
        _large.Clear();
        _next = null;
        _left = 0;
    }
}

/// <summary>
/// Pinned (pinned object heap) byte arrays of a few fixed sizes, reused across write transactions:
/// page buffers and arena chunks. Only the writer uses it, under the writer lock.
/// </summary>
internal sealed class PinnedBufferPool
{
    private readonly Dictionary<int, Stack<byte[]>> _free = new();
    private readonly long _maxBytesPerSize;

    public PinnedBufferPool(long maxBytesPerSize = 32L << 20)
    {
        _maxBytesPerSize = maxBytesPerSize;
    }

    public byte[] Rent(int length)
    {
        if (_free.TryGetValue(length, out var stack) && stack.TryPop(out var buffer))
        {
            return buffer;
        }
        return GC.AllocateUninitializedArray<byte>(length, pinned: true);
    }

    public void Return(byte[] buffer)
    {
        if (!_free.TryGetValue(buffer.Length, out var stack))
        {
            stack = new Stack<byte[]>();
            _free[buffer.Length] = stack;
        }
        if ((long)(stack.Count + 1) * buffer.Length <= _maxBytesPerSize)
        {
            stack.Push(buffer);
        }
    }
}
