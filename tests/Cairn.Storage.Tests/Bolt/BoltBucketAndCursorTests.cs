using System.Text;
using Cairn.Storage.Bolt;

namespace Cairn.Storage.Tests.Bolt;

/// <summary>Bucket and cursor behaviour as bbolt defines it: errors, nested and inline buckets, sequences, seek/next/prev.</summary>
public sealed class BoltBucketAndCursorTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly BoltDatabase _db;

    public BoltBucketAndCursorTests()
    {
        _db = BoltDatabase.Open(_dir.File("db"), new BoltOptions { NoSync = true });
    }

    public void Dispose()
    {
        _db.Dispose();
        _dir.Dispose();
    }

    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    private static string S(ReadOnlySpan<byte> b) => Encoding.UTF8.GetString(b);

    private static BoltErrorCode Code(Action a) => Assert.ThrowsAny<BoltException>(a).Code;

    [Fact]
    public void BucketErrorsAreBboltsErrors()
    {
        using var tx = _db.BeginWrite();
        var b = tx.CreateBucket(B("b"));
        Assert.Equal(BoltErrorCode.BucketExists, Code(() => tx.CreateBucket(B("b"))));
        Assert.Equal(BoltErrorCode.BucketNameRequired, Code(() => tx.CreateBucket([])));
        Assert.Equal(BoltErrorCode.BucketNotFound, Code(() => tx.DeleteBucket(B("nope"))));
        b.Put(B("k"), B("v"));
        Assert.Equal(BoltErrorCode.IncompatibleValue, Code(() => b.CreateBucket(B("k"))));
        b.CreateBucket(B("child"));
        Assert.Equal(BoltErrorCode.IncompatibleValue, Code(() => b.Put(B("child"), B("x"))));
        Assert.Equal(BoltErrorCode.IncompatibleValue, Code(() => b.Delete(B("child"))));
        Assert.Equal(BoltErrorCode.IncompatibleValue, Code(() => b.DeleteBucket(B("k"))));
        Assert.Equal(BoltErrorCode.KeyRequired, Code(() => b.Put([], B("x"))));
        Assert.Equal(BoltErrorCode.KeyTooLarge, Code(() => b.Put(new byte[BoltLimits.MaxKeySize + 1], B("x"))));
        Assert.False(b.TryGet(B("child"), out _));
        Assert.Same(b.Bucket(B("child")), b.Bucket(B("child")));
        Assert.Same(b, tx.CreateBucketIfNotExists(B("b")));
    }

    [Fact]
    public void ClosedAndReadOnlyTransactionsRefuseWork()
    {
        _db.Update(tx => tx.CreateBucket(B("b")));
        var read = _db.BeginRead();
        var b = read.Bucket(B("b"))!;
        Assert.Equal(BoltErrorCode.TxNotWritable, Code(() => b.Put(B("k"), B("v"))));
        Assert.Equal(BoltErrorCode.TxNotWritable, Code(() => read.CreateBucket(B("x"))));
        Assert.Equal(BoltErrorCode.TxNotWritable, Code(read.Commit));
        read.Rollback();
        Assert.Equal(BoltErrorCode.TxClosed, Code(() => b.TryGet(B("k"), out _)));
        Assert.Equal(BoltErrorCode.TxClosed, Code(read.Rollback));
        read.Dispose();
    }

    [Fact]
    public void SmallBucketsAreInlineAndGrowIntoPages()
    {
        _db.Update(tx =>
        {
            var b = tx.CreateBucket(B("b"));
            b.Put(B("a"), B("1"));
        });
        Assert.Equal(0ul, _db.View(tx => tx.Bucket(B("b"))!.Root));
        var stats = _db.View(tx => tx.Bucket(B("b"))!.Stats());
        Assert.Equal(1, stats.InlineBucketN);
        Assert.Equal(1, stats.KeyN);

        _db.Update(tx =>
        {
            var b = tx.Bucket(B("b"))!;
            for (var i = 0; i < 100; i++)
            {
                b.Put(B($"k{i:D3}"), new byte[50]);
            }
        });
        Assert.NotEqual(0ul, _db.View(tx => tx.Bucket(B("b"))!.Root));
        stats = _db.View(tx => tx.Bucket(B("b"))!.Stats());
        Assert.Equal(0, stats.InlineBucketN);
        Assert.Equal(101, stats.KeyN);
        Assert.True(stats.LeafPageN >= 2);
        Assert.Equal(1, stats.BranchPageN);
        Assert.Equal(2, stats.Depth);

        _db.Update(tx =>
        {
            var b = tx.Bucket(B("b"))!;
            for (var i = 0; i < 100; i++)
            {
                b.Delete(B($"k{i:D3}"));
            }
        });
        Assert.Equal(0ul, _db.View(tx => tx.Bucket(B("b"))!.Root));
        Assert.Empty(_db.Check());
    }

    [Fact]
    public void NestedBucketsAndSequencesPersist()
    {
        _db.Update(tx =>
        {
            var a = tx.CreateBucket(B("a"));
            var b = a.CreateBucket(B("b"));
            var c = b.CreateBucket(B("c"));
            c.Put(B("deep"), B("value"));
            Assert.Equal(1ul, b.NextSequence());
            Assert.Equal(2ul, b.NextSequence());
            a.SetSequence(42);
        });
        _db.View(tx =>
        {
            var a = tx.Bucket(B("a"))!;
            Assert.Equal(42ul, a.Sequence);
            var b = a.Bucket(B("b"))!;
            Assert.Equal(2ul, b.Sequence);
            Assert.True(b.Bucket(B("c"))!.TryGet(B("deep"), out var v));
            Assert.Equal("value", S(v));
            return 0;
        });
        _db.Update(tx => tx.Bucket(B("a"))!.DeleteBucket(B("b")));
        Assert.Null(_db.View(tx => tx.Bucket(B("a"))!.Bucket(B("b"))));
        Assert.Empty(_db.Check());
    }

    [Fact]
    public void CursorSeeksAndWalksBothWays()
    {
        _db.Update(tx =>
        {
            var b = tx.CreateBucket(B("b"));
            for (var i = 0; i < 1000; i += 2)
            {
                b.Put(B($"{i:D4}"), B($"v{i}"));
            }
            b.CreateBucket(B("9999-sub"));
        });
        using var tx = _db.BeginRead();
        var c = tx.Bucket(B("b"))!.Cursor();

        Assert.True(c.Seek(B("0101")));
        Assert.Equal("0102", S(c.Key));
        Assert.Equal("v102", S(c.Value));
        Assert.True(c.Prev());
        Assert.Equal("0100", S(c.Key));
        Assert.True(c.Seek(B("0100")));
        Assert.Equal("0100", S(c.Key));

        Assert.True(c.First());
        Assert.Equal("0000", S(c.Key));
        Assert.False(c.Prev());

        Assert.True(c.Last());
        Assert.Equal("9999-sub", S(c.Key));
        Assert.True(c.IsBucket);
        Assert.Equal(0, c.Value.Length);
        Assert.False(c.Next());
        Assert.False(c.IsValid);

        Assert.False(c.Seek(B("zzzz")));

        var backwards = 0;
        for (var ok = c.Last(); ok; ok = c.Prev())
        {
            backwards++;
        }
        Assert.Equal(501, backwards);
    }

    [Fact]
    public void CursorOnAnEmptyBucketFindsNothing()
    {
        _db.Update(tx => tx.CreateBucket(B("empty")));
        using var tx = _db.BeginRead();
        var c = tx.Bucket(B("empty"))!.Cursor();
        Assert.False(c.First());
        Assert.False(c.Last());
        Assert.False(c.Seek(B("a")));
        Assert.Equal(0, c.Key.Length);
    }

    [Fact]
    public void CursorDeleteRemovesTheCurrentKey()
    {
        _db.Update(tx =>
        {
            var b = tx.CreateBucket(B("b"));
            for (var i = 0; i < 10; i++)
            {
                b.Put(B($"{i}"), B("x"));
            }
        });
        _db.Update(tx =>
        {
            var c = tx.Bucket(B("b"))!.Cursor();
            Assert.True(c.Seek(B("5")));
            c.Delete();
        });
        _db.View(tx =>
        {
            Assert.False(tx.Bucket(B("b"))!.TryGet(B("5"), out _));
            Assert.True(tx.Bucket(B("b"))!.TryGet(B("6"), out _));
            return 0;
        });
    }

    [Fact]
    public void RollbackDiscardsAndOnCommitRuns()
    {
        var ran = false;
        using (var tx = _db.BeginWrite())
        {
            tx.CreateBucket(B("gone"));
        }
        Assert.Null(_db.View(tx => tx.Bucket(B("gone"))));
        using (var tx = _db.BeginWrite())
        {
            tx.CreateBucket(B("kept"));
            tx.OnCommit(() => ran = true);
            tx.Commit();
        }
        Assert.True(ran);
        Assert.NotNull(_db.View(tx => tx.Bucket(B("kept"))));
    }

    [Fact]
    public void LargeValuesUseOverflowPages()
    {
        var big = Enumerable.Range(0, 100_000).Select(i => (byte)i).ToArray();
        _db.Update(tx => tx.CreateBucket(B("b")).Put(B("big"), big));
        _db.View(tx =>
        {
            Assert.True(tx.Bucket(B("b"))!.TryGet(B("big"), out var v));
            Assert.True(v.SequenceEqual(big));
            var stats = tx.Bucket(B("b"))!.Stats();
            Assert.True(stats.LeafOverflowN >= 24);
            return 0;
        });
        Assert.Empty(_db.Check());
    }
}
