using Cairn.Storage.Bolt;
using Cairn.Storage.Bolt.Format;

namespace Cairn.Storage.Tests.Bolt;

/// <summary>bbolt's array freelist: contiguous allocation, pending frees keyed by txid, release rules, rollback, on-page format.</summary>
public sealed class FreelistTests
{
    private static Freelist With(params ulong[] ids)
    {
        var f = new Freelist("test.db");
        f.SetFreeIds(ids);
        return f;
    }

    [Fact]
    public void AllocateTakesTheFirstContiguousRun()
    {
        // bbolt's TestFreelist_allocate.
        var f = With(3, 4, 5, 6, 7, 9, 12, 13, 18);
        Assert.Equal(3ul, f.Allocate(1, 3));
        Assert.Equal(6ul, f.Allocate(1, 1));
        Assert.Equal(0ul, f.Allocate(1, 3));
        Assert.Equal(12ul, f.Allocate(1, 2));
        Assert.Equal(7ul, f.Allocate(1, 1));
        Assert.Equal(0ul, f.Allocate(1, 0));
        Assert.Equal([9ul, 18], f.FreeIds.ToArray());
        Assert.Equal(9ul, f.Allocate(1, 1));
        Assert.Equal(18ul, f.Allocate(1, 1));
        Assert.Equal(0ul, f.Allocate(1, 1));
        Assert.Equal(0, f.FreeCount);
    }

    [Fact]
    public void FreedPagesStayPendingUntilReleased()
    {
        var f = With();
        f.Free(100, 12, 0, false);
        f.Free(100, 9, 2, false);
        f.Free(102, 39, 0, false);
        Assert.Equal(0, f.FreeCount);
        Assert.Equal(5, f.PendingCount);
        Assert.True(f.IsFreed(10));
        f.Release(100);
        Assert.Equal([9ul, 10, 11, 12], f.FreeIds.ToArray());
        f.Release(102);
        Assert.Equal([9ul, 10, 11, 12, 39], f.FreeIds.ToArray());
    }

    [Fact]
    public void FreeingTwiceIsCorruption()
    {
        var f = With();
        f.Free(5, 12, 0, false);
        var e = Assert.Throws<BoltCorruptionException>(() => f.Free(6, 12, 0, false));
        Assert.Equal(12ul, e.PageId);
        Assert.Throws<BoltCorruptionException>(() => f.Free(6, 1, 0, false));
    }

    [Fact]
    public void ReleaseRangeFreesPagesAllocatedAndFreedBetweenReaders()
    {
        // bbolt's TestFreelist_releaseRange, first case: a page allocated at tx 1 and freed at tx 3
        // can be released once readers at 0 and 4..5 are the only ones left.
        var f = With(3, 4, 5);
        Assert.Equal(3ul, f.Allocate(1, 1));
        f.Free(3, 3, 0, false);
        f.ReleaseRange(1, 3);
        Assert.Contains(3ul, f.FreeIds.ToArray());

        var g = With(3);
        Assert.Equal(3ul, g.Allocate(1, 1));
        g.Free(3, 3, 0, false);
        g.ReleaseRange(2, 3); // allocated at 1, outside the range: a reader at 1 may see it
        Assert.DoesNotContain(3ul, g.FreeIds.ToArray());
        Assert.Equal(1, g.PendingCount);
    }

    [Fact]
    public void RollbackForgetsFreesAndReturnsOwnAllocations()
    {
        var f = With(3, 4);
        Assert.Equal(3ul, f.Allocate(7, 1));
        f.Free(7, 3, 0, false);   // allocated and freed by tx 7: free again after rollback
        f.Free(7, 20, 0, false);  // allocated before this process: just not freed
        f.Rollback(7);
        Assert.Equal(0, f.PendingCount);
        Assert.Equal([3ul, 4], f.FreeIds.ToArray());
        Assert.False(f.IsFreed(20));
    }

    [Fact]
    public void WriteAndReadRoundTripSortedWithPending()
    {
        var f = With(5, 9, 12);
        f.Free(3, 7, 1, false);
        var buffer = GC.AllocateArray<byte>(4096, pinned: true);
        {
            Page.WriteHeader(buffer, 2, 0, 0, 0);
            f.Write(buffer);
            var page = Page.OverPinned(buffer, "test.db", 2);
            Assert.Equal(PageLayout.FreelistPageFlag, page.Flags);
            Assert.Equal(5, page.Count);
            Assert.Equal([5ul, 7, 8, 9, 12], Freelist.ReadIds(page, 100));
            Assert.Throws<BoltCorruptionException>(() => Freelist.ReadIds(page, 10));
        }
    }

    [Fact]
    public void MoreThan64KIdsStoreTheCountInTheFirstElement()
    {
        var ids = Enumerable.Range(2, 70_000).Select(i => (ulong)i).ToArray();
        var f = With(ids);
        var buffer = GC.AllocateArray<byte>(f.SerializedSize(), pinned: true);
        Assert.Equal(16 + (8 * 70_001), buffer.Length);
        {
            f.Write(buffer);
            var page = Page.OverPinned(buffer, "test.db", 2);
            Assert.Equal(0xFFFF, page.Count);
            Assert.Equal(70_000ul, BitConverter.ToUInt64(buffer, 16));
            Assert.Equal(ids, Freelist.ReadIds(page, 1_000_000));
        }
    }
}
