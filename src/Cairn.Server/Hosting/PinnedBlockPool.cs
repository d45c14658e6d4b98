using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace Cairn.Server.Hosting;

/// <summary>
/// The buffers Kestrel's HTTP layer writes responses into: 4 KiB blocks on the pinned object
/// heap, reused. Kestrel's socket transport built outside a dependency-injection host hands its
/// connections a pool that rents from the shared <see cref="ArrayPool{T}"/>, which keeps a few
/// dozen arrays per size: with a hundred watch streams each holding a block while the
/// connection writes, most rents missed and allocated a fresh 4 KiB array, and the garbage
/// collector then spent a tenth of the server's time on them (perf, bench/watch.sh).
/// </summary>
internal sealed class PinnedBlockPool : MemoryPool<byte>
{
    public const int BlockSize = 4096;

    private readonly ConcurrentQueue<Block> _free = new();
    private readonly int _maxRetained;
    private int _retained;

    /// <param name="maxRetained">Free blocks kept for reuse at most; beyond, returned blocks are left to the collector.</param>
    public PinnedBlockPool(int maxRetained = 8192)
    {
        _maxRetained = maxRetained;
    }

    public override int MaxBufferSize => BlockSize;

    /// <summary>Free blocks held (tests).</summary>
    public int Retained => Volatile.Read(ref _retained);

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, BlockSize);
        if (_free.TryDequeue(out var block))
        {
            Interlocked.Decrement(ref _retained);
            block.Lease();
            return block;
        }
        return new Block(this);
    }

    private void Return(Block block)
    {
        if (Interlocked.Increment(ref _retained) <= _maxRetained)
        {
            _free.Enqueue(block);
            return;
        }
        Interlocked.Decrement(ref _retained);
    }

    protected override void Dispose(bool disposing)
    {
        _free.Clear();
        Volatile.Write(ref _retained, 0);
    }

    private sealed class Block : IMemoryOwner<byte>
    {
        private readonly PinnedBlockPool _pool;
        private int _returned;

        public Block(PinnedBlockPool pool)
        {
            _pool = pool;
            Memory = MemoryMarshal.CreateFromPinnedArray(GC.AllocateUninitializedArray<byte>(BlockSize, pinned: true), 0, BlockSize);
        }

        public Memory<byte> Memory { get; }

        public void Lease() => Volatile.Write(ref _returned, 0);

        public void Dispose()
        {
            // Once per lease: a second dispose must not put the block in the pool twice.
            if (Interlocked.Exchange(ref _returned, 1) == 0)
            {
                _pool.Return(this);
            }
        }
    }
}
