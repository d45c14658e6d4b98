using System.Buffers.Binary;
using Cairn.Storage.Bolt;

namespace Cairn.Storage.Tests.Bolt;

/// <summary>Damaged files fail loudly with the file and page named: never a silent wrong answer, never an unbounded read.</summary>
public sealed class BoltCorruptionTests : IDisposable
{
    private const int PageSize = 4096;
    private readonly TempDirectory _dir = new();
    private readonly string _path;
    private readonly ulong _root;

    public BoltCorruptionTests()
    {
        _path = _dir.File("db");
        using var db = BoltDatabase.Open(_path, new BoltOptions { NoSync = true });
        db.Update(tx =>
        {
            var b = tx.CreateBucket("b"u8);
            for (var i = 0; i < 2000; i++)
            {
                b.Put(BitConverter.GetBytes(BinaryPrimitives.ReverseEndianness(i)), new byte[100]);
            }
        });
        _root = db.View(tx => tx.Bucket("b"u8)!.Root);
    }

    public void Dispose() => _dir.Dispose();

    private void Patch(long offset, ReadOnlySpan<byte> bytes)
    {
        using var f = new FileStream(_path, FileMode.Open, FileAccess.ReadWrite);
        f.Position = offset;
        f.Write(bytes);
    }

    private long BranchElement(int index) => ((long)_root * PageSize) + 16 + (index * 16);

    private ulong ChildOfRoot(int index)
    {
        var bytes = File.ReadAllBytes(_path);
        return BitConverter.ToUInt64(bytes, (int)BranchElement(index) + 8);
    }

    private BoltCorruptionException ReadEverything()
    {
        using var db = BoltDatabase.Open(_path);
        using var tx = db.BeginRead();
        return Assert.Throws<BoltCorruptionException>(() =>
        {
            var c = tx.Bucket("b"u8)!.Cursor();
            for (var ok = c.First(); ok; ok = c.Next())
            {
            }
        });
    }

    private IReadOnlyList<string> CheckErrors()
    {
        using var db = BoltDatabase.Open(_path, new BoltOptions { ReadOnly = true });
        return db.Check();
    }

    [Fact]
    public void TheFixtureBucketHasABranchRoot()
    {
        var bytes = File.ReadAllBytes(_path);
        Assert.Equal(0x01, BitConverter.ToUInt16(bytes, (int)(_root * PageSize) + 8));
    }

    [Fact]
    public void ATruncatedFileIsRefused()
    {
        using (var f = new FileStream(_path, FileMode.Open, FileAccess.ReadWrite))
        {
            f.SetLength(f.Length / 2);
        }
        var e = Assert.Throws<BoltCorruptionException>(() => BoltDatabase.Open(_path));
        Assert.Contains(_path, e.Message);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void AChildPastTheHighWaterMarkNamesFileAndPage()
    {
        var bad = BitConverter.GetBytes(1_000_000UL);
        Patch(BranchElement(1) + 8, bad);
        var e = ReadEverything();
        Assert.Equal(_path, e.FilePath);
        Assert.Equal(1_000_000UL, e.PageId);
        Assert.Contains("high water mark", e.Message);
        Assert.Contains(CheckErrors(), m => m.Contains("page 1000000"));
    }

    [Fact]
    public void AZeroedPageIsNotReadAsData()
    {
        var child = ChildOfRoot(2);
        Patch((long)child * PageSize, new byte[PageSize]);
        var e = ReadEverything();
        Assert.Equal(child, e.PageId);
        Assert.Contains("header holds id 0", e.Message);
    }

    [Fact]
    public void AnElementRunningPastItsPageIsCaught()
    {
        var child = ChildOfRoot(0);
        // ksize of leaf element 3
        Patch(((long)child * PageSize) + 16 + (3 * 16) + 8, BitConverter.GetBytes(100_000u));
        var e = ReadEverything();
        Assert.Equal(child, e.PageId);
        Assert.Contains("runs past the page end", e.Message);
    }

    [Fact]
    public void AnInvalidPageTypeIsCaught()
    {
        var child = ChildOfRoot(1);
        Patch(((long)child * PageSize) + 8, BitConverter.GetBytes((ushort)0x20));
        var e = ReadEverything();
        Assert.Contains("invalid page type", e.Message);
        Assert.Contains(CheckErrors(), m => m.Contains($"page {child}: invalid type"));
    }

    [Fact]
    public void ACycleEndsInAnErrorNotALoop()
    {
        // The root's second child now points back at the root.
        Patch(BranchElement(1) + 8, BitConverter.GetBytes(_root));
        var errors = CheckErrors();
        Assert.Contains(errors, m => m.Contains($"page {_root}: multiple references"));
        using var db = BoltDatabase.Open(_path);
        using var tx = db.BeginRead();
        Assert.ThrowsAny<BoltException>(() =>
        {
            var c = tx.Bucket("b"u8)!.Cursor();
            for (var ok = c.First(); ok; ok = c.Next())
            {
            }
        });
    }

    [Fact]
    public void UnreachablePagesAreReported()
    {
        using (var db = BoltDatabase.Open(_path))
        {
            Assert.Empty(db.Check());
        }
        // Drop the last child from the root: its pages are neither reachable nor free.
        var bytes = File.ReadAllBytes(_path);
        var count = BitConverter.ToUInt16(bytes, (int)(_root * PageSize) + 10);
        var lost = ChildOfRoot(count - 1);
        Patch(((long)_root * PageSize) + 10, BitConverter.GetBytes((ushort)(count - 1)));
        Assert.Contains(CheckErrors(), m => m == $"page {lost}: unreachable unfreed");
    }

    [Fact]
    public void ABucketThatContainsItselfIsReportedNotRecursedForever()
    {
        var path = _dir.File("nested.db");
        const ulong marker = 0x1122334455667788;
        ulong parentRoot;
        using (var db = BoltDatabase.Open(path, new BoltOptions { NoSync = true }))
        {
            db.Update(tx =>
            {
                var b = tx.CreateBucket("b"u8);
                for (var i = 0; i < 500; i++)
                {
                    b.Put(BitConverter.GetBytes(i), new byte[100]);
                }
                var nested = b.CreateBucket("nested"u8);
                for (var i = 0; i < 200; i++)
                {
                    nested.Put(BitConverter.GetBytes(i), new byte[100]);
                }
                nested.SetSequence(marker);
            });
            parentRoot = db.View(tx => tx.Bucket("b"u8)!.Root);
        }
        // The nested bucket's header is (root, sequence): point its root at its parent's root.
        var bytes = File.ReadAllBytes(path);
        var at = bytes.AsSpan().IndexOf(BitConverter.GetBytes(marker));
        Assert.True(at > 8);
        using (var f = new FileStream(path, FileMode.Open, FileAccess.ReadWrite))
        {
            f.Position = at - 8;
            f.Write(BitConverter.GetBytes(parentRoot));
        }
        using var broken = BoltDatabase.Open(path, new BoltOptions { ReadOnly = true });
        Assert.Contains(broken.Check(), m => m.Contains($"page {parentRoot}: multiple references"));
        using var tx = broken.BeginRead();
        Assert.Throws<BoltCorruptionException>(() => tx.Bucket("b"u8)!.Stats());
        Assert.Throws<BoltCorruptionException>(() => broken.CompactTo(_dir.File("compacted.db")));
    }

    [Fact]
    public void AFileThatIsNotABoltDatabaseIsRefused()
    {
        var other = _dir.File("other");
        File.WriteAllBytes(other, Enumerable.Range(0, 3 * PageSize).Select(i => (byte)(i * 7)).ToArray());
        var e = Assert.Throws<BoltException>(() => BoltDatabase.Open(other));
        Assert.Equal(BoltErrorCode.Invalid, e.Code);
        Assert.Contains(other, e.Message);
    }
}
