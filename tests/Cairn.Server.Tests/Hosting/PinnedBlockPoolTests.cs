using Cairn.Server.Hosting;

namespace Cairn.Server.Tests.Hosting;

public class PinnedBlockPoolTests
{
    [Fact]
    public void A_returned_block_is_rented_again_instead_of_a_new_one()
    {
        using var pool = new PinnedBlockPool();
        var first = pool.Rent(100);
        var memory = first.Memory;
        first.Dispose();
        Assert.Equal(1, pool.Retained);
        using var second = pool.Rent(PinnedBlockPool.BlockSize);
        Assert.True(second.Memory.Span.Overlaps(memory.Span));
        Assert.Equal(0, pool.Retained);
    }

    [Fact]
    public void Disposing_a_block_twice_puts_it_in_the_pool_once()
    {
        using var pool = new PinnedBlockPool();
        var block = pool.Rent();
        block.Dispose();
        block.Dispose();
        Assert.Equal(1, pool.Retained);
        var again = pool.Rent();
        Assert.Same(block, again);
        Assert.NotSame(again, pool.Rent());
    }

    [Fact]
    public void Free_blocks_beyond_the_bound_are_left_to_the_collector()
    {
        using var pool = new PinnedBlockPool(maxRetained: 2);
        var blocks = Enumerable.Range(0, 5).Select(_ => pool.Rent()).ToList();
        blocks.ForEach(b => b.Dispose());
        Assert.Equal(2, pool.Retained);
    }

    [Fact]
    public void A_request_larger_than_a_block_gets_a_large_block_reused_like_the_small_ones()
    {
        using var pool = new PinnedBlockPool();
        var large = pool.Rent(PinnedBlockPool.BlockSize + 1);
        Assert.Equal(PinnedBlockPool.LargeBlockSize, large.Memory.Length);
        large.Dispose();
        Assert.Equal(1, pool.LargeRetained);
        Assert.Equal(0, pool.Retained);
        Assert.Same(large, pool.Rent(PinnedBlockPool.LargeBlockSize));
        Assert.Equal(PinnedBlockPool.BlockSize, pool.Rent().Memory.Length);
    }

    [Fact]
    public void A_request_larger_than_a_large_block_is_refused_so_the_pipe_uses_another_buffer()
    {
        using var pool = new PinnedBlockPool();
        Assert.Equal(PinnedBlockPool.LargeBlockSize, pool.MaxBufferSize);
        Assert.Throws<ArgumentOutOfRangeException>(() => pool.Rent(PinnedBlockPool.LargeBlockSize + 1));
    }
}
