using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace Cairn.Server.Hosting;

/// <summary>
/// The buffers Kestrel's HTTP layer writes responses into: 4 KiB blocks on the pinned object
/// heap, reused, and 64 KiB ones for the writes that ask for more in one piece. Kestrel's socket
/// transport built outside a dependency-injection host hands its connections a pool that rents
/// from the shared <see cref="ArrayPool{T}"/>, which keeps a few dozen arrays per size: with a
/// hundred watch streams each holding a block while the connection writes, most rents missed and
/// allocated a fresh 4 KiB array, and the garbage collector then spent a tenth of the server's
/// time on them (perf, bench/watch.sh). A pipe asked for more than a pool's largest block falls
/// back to that same shared pool: watchers catching up get responses of tens of KiB, written in
/// one piece and copied into the connection's DATA frames in one piece, so with 4 KiB the
/// largest, each of those allocated anew and the collections that followed kept catch-up from
/// ever draining a backlog.
/// </summary>
internal sealed class PinnedBlockPool : MemoryPool<byte>
{
    public const int BlockSize = 4096;

    public const int LargeBlockSize = 64 * 1024;

    private readonly Tier _small;
    private readonly Tier _large;

    /// <param name="maxRetained">Free 4 KiB blocks kept for reuse at most; beyond, returned blocks are left to the collector.</param>
    /// <param name="maxLargeRetained">The same for 64 KiB blocks.</param>
    public PinnedBlockPool(int maxRetained = 8192, int maxLargeRetained = 256)
    {
        _small = new Tier(BlockSize, maxRetained);
        _large = new Tier(LargeBlockSize, maxLargeRetained);
    }

    public override int MaxBufferSize => LargeBlockSize;

    /// <summary>Free 4 KiB blocks held (tests).</summary>
    public int Retained => _small.Retained;

    /// <summary>Free 64 KiB blocks held (tests).</summary>
    public int LargeRetained => _large.Retained;

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, LargeBlockSize);
        return (minBufferSize <= BlockSize ? _small : _large).Rent();
    }

    protected override void Dispose(bool disposing)
    {
        _small.Clear();
        _large.Clear();
    }

    /// <summary>The free blocks of one size.</summary>
    private sealed class Tier(int blockSize, int maxRetained)
    {
        private readonly ConcurrentQueue<Block> _free = new();
        private int _retained;

        public int Retained => Volatile.Read(ref _retained);

        public Block Rent()
        {
            if (_free.TryDequeue(out var block))
            {
                Interlocked.Decrement(ref _retained);
                block.Lease();
                return block;
            }
            return new Block(this, blockSize);
        }

        public void Return(Block block)
        {
            if (Interlocked.Increment(ref _retained) <= maxRetained)
            {
                _free.Enqueue(block);
                return;
            }
            Interlocked.Decrement(ref _retained);
        }

        public void Clear()
        {
            _free.Clear();
            Volatile.Write(ref _retained, 0);
        }
    }

    private sealed class Block : IMemoryOwner<byte>
    {
        private readonly Tier _tier;
        private int _returned;

        public Block(Tier tier, int size)
        {
            _tier = tier;
            Memory = MemoryMarshal.CreateFromPinnedArray(GC.AllocateUninitializedArray<byte>(size, pinned: true), 0, size);
        }

        public Memory<byte> Memory { get; }

        public void Lease() => Volatile.Write(ref _returned, 0);

        public void Dispose()
        {
            // Once per lease: a second dispose must not put the block in the pool twice.
            if (Interlocked.Exchange(ref _returned, 1) == 0)
            {
                _tier.Return(this);
            }
        }
    }
}
