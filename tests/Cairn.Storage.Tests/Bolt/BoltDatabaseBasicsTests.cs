using System.Text;
using Cairn.Storage.Bolt;

namespace Cairn.Storage.Tests.Bolt;

public sealed class BoltDatabaseBasicsTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public void NewFileHasBboltsInitialLayout()
    {
        var path = _dir.File("db");
        using (BoltDatabase.Open(path))
        {
        }
        var bytes = File.ReadAllBytes(path);
        Assert.Equal(4 * 4096, bytes.Length);
        // meta page 0: magic ED0CDAED, version 2, page size 4096, freelist 2, root 3, pgid 4, txid 0.
        Assert.Equal(0xED0CDAEDu, BitConverter.ToUInt32(bytes, 16));
        Assert.Equal(2u, BitConverter.ToUInt32(bytes, 20));
        Assert.Equal(4096u, BitConverter.ToUInt32(bytes, 24));
        Assert.Equal(3ul, BitConverter.ToUInt64(bytes, 32));
        Assert.Equal(2ul, BitConverter.ToUInt64(bytes, 48));
        Assert.Equal(4ul, BitConverter.ToUInt64(bytes, 56));
        Assert.Equal(0ul, BitConverter.ToUInt64(bytes, 64));
        Assert.Equal(1ul, BitConverter.ToUInt64(bytes, 4096 + 64));
        Assert.Equal((ushort)0x10, BitConverter.ToUInt16(bytes, (2 * 4096) + 8));
        Assert.Equal((ushort)0x02, BitConverter.ToUInt16(bytes, (3 * 4096) + 8));
    }

    [Fact]
    public void PutThenGetAcrossReopen()
    {
        var path = _dir.File("db");
        using (var db = BoltDatabase.Open(path))
        {
            db.Update(tx =>
            {
                var b = tx.CreateBucket(B("widgets"));
                b.Put(B("foo"), B("bar"));
                b.Put(B("empty"), []);
            });
        }
        using (var db = BoltDatabase.Open(path))
        {
            using var tx = db.BeginRead();
            var b = tx.Bucket(B("widgets"))!;
            Assert.True(b.TryGet(B("foo"), out var v));
            Assert.Equal("bar", Encoding.UTF8.GetString(v));
            Assert.True(b.TryGet(B("empty"), out var e));
            Assert.Equal(0, e.Length);
            Assert.False(b.TryGet(B("missing"), out _));
            Assert.Empty(tx.Check());
        }
    }

    [Fact]
    public void ManyKeysSplitAndDeletesRebalance()
    {
        var path = _dir.File("db");
        using var db = BoltDatabase.Open(path, new BoltOptions { NoSync = true });
        db.Update(tx =>
        {
            var b = tx.CreateBucket(B("k"));
            for (var i = 0; i < 20000; i++)
            {
                b.Put(B($"key{i:D6}"), B(new string('v', i % 300)));
            }
        });
        Assert.Empty(db.Check());
        db.Update(tx =>
        {
            var b = tx.Bucket(B("k"))!;
            for (var i = 0; i < 20000; i += 3)
            {
                b.Delete(B($"key{i:D6}"));
            }
        });
        Assert.Empty(db.Check());
        using var r = db.BeginRead();
        var c = r.Bucket(B("k"))!.Cursor();
        var n = 0;
        string? previous = null;
        for (var ok = c.First(); ok; ok = c.Next())
        {
            var k = Encoding.UTF8.GetString(c.Key);
            Assert.True(previous is null || string.CompareOrdinal(previous, k) < 0);
            var i = int.Parse(k[3..]);
            Assert.NotEqual(0, i % 3);
            Assert.Equal(i % 300, c.Value.Length);
            previous = k;
            n++;
        }
        Assert.Equal(20000 - 6667, n);
    }
}
