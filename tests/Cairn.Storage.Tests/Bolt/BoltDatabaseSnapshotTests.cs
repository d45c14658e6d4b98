using Cairn.Storage.Bolt;
using Cairn.Storage.Tests.Bolt.Model;

namespace Cairn.Storage.Tests.Bolt;

/// <summary>WriteTo (etcd's snapshot stream), compaction (defrag), sizes and stats.</summary>
public sealed class BoltDatabaseSnapshotTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static ModelBucket Fill(BoltDatabase db, int seed, int transactions)
    {
        var model = new ModelBucket();
        var operations = new RandomOperations(seed);
        for (var t = 0; t < transactions; t++)
        {
            using var tx = db.BeginWrite();
            for (var i = 0; i < 100; i++)
            {
                var op = operations.Next(model);
                op.ApplyTo(model);
                op.ApplyTo(tx);
            }
            tx.Commit();
        }
        return model;
    }

    [Fact]
    public async Task WriteToCopiesTheReadersSnapshotWhileTheWriterContinues()
    {
        using var db = BoltDatabase.Open(_dir.File("db"), new BoltOptions { NoSync = true });
        var model = Fill(db, 61, 20);
        using var reader = db.BeginRead();
        Fill(db, 62, 10); // changes after the reader began must not show in its copy

        var copyPath = _dir.File("copy.db");
        await using (var file = File.Create(copyPath))
        {
            var written = await reader.WriteToAsync(file);
            Assert.Equal(reader.Size, written);
        }
        var bytes = File.ReadAllBytes(copyPath);
        Assert.Equal(reader.Size, bytes.Length);
        Assert.Equal(reader.Id, BitConverter.ToUInt64(bytes, 16 + 48));
        Assert.Equal(reader.Id - 1, BitConverter.ToUInt64(bytes, 4096 + 16 + 48));

        using var copy = BoltDatabase.Open(copyPath, new BoltOptions { ReadOnly = true });
        Assert.Empty(copy.Check());
        using var tx = copy.BeginRead();
        Assert.Equal(BoltDump.Of(model), BoltDump.Of(tx));

        using var stream = new MemoryStream();
        Assert.Equal(reader.Size, reader.WriteTo(stream));
        Assert.Equal(bytes, stream.ToArray());
    }

    [Fact]
    public void CompactionKeepsContentAndDropsFreePages()
    {
        var path = _dir.File("db");
        using var db = BoltDatabase.Open(path, new BoltOptions { NoSync = true });
        var model = Fill(db, 63, 30);
        db.Update(tx =>
        {
            // Delete most of the data so the file is mostly free pages.
            var names = new List<byte[]>();
            var c = tx.Cursor();
            for (var ok = c.First(); ok; ok = c.Next())
            {
                names.Add(c.Key.ToArray());
            }
            foreach (var name in names.Skip(1))
            {
                tx.DeleteBucket(name);
                model.Buckets.Remove(name);
            }
        });
        Assert.True(db.Stats.FreePageN + db.Stats.PendingPageN > 0);
        var compacted = _dir.File("compacted.db");
        db.CompactTo(compacted, maxTransactionBytes: 10_000);
        using var small = BoltDatabase.Open(compacted);
        Assert.Empty(small.Check());
        Assert.True(small.Size < db.Size, $"{small.Size} < {db.Size}");
        using var tx = small.BeginRead();
        Assert.Equal(BoltDump.Of(model), BoltDump.Of(tx));
        Assert.Throws<IOException>(() => db.CompactTo(compacted));
    }

    [Fact]
    public void SizesAndStatsFollowCommits()
    {
        using var db = BoltDatabase.Open(_dir.File("db"), new BoltOptions { NoSync = true });
        Assert.Equal(4 * 4096, db.Size);
        Fill(db, 64, 5);
        Assert.True(db.Size > 4 * 4096);
        Assert.True(db.FileSize >= db.Size);
        Assert.True(db.SizeInUse <= db.Size);
        using (db.BeginRead())
        {
            Assert.Equal(1, db.Stats.OpenTxN);
        }
        var stats = db.Stats;
        Assert.Equal(0, stats.OpenTxN);
        Assert.True(stats.TxN >= 1);
        Assert.True(stats.TxStats.PageCount > 0);
        Assert.True(stats.TxStats.Write > 0);
    }

    [Fact]
    public void AFreelistIsWrittenWhenOpeningANoFreelistSyncFileWithoutTheOption()
    {
        var path = _dir.File("db");
        using (var db = BoltDatabase.Open(path, new BoltOptions { NoFreelistSync = true }))
        {
            Fill(db, 65, 5);
            using var tx = db.BeginRead();
        }
        Assert.Equal(ulong.MaxValue, MetaFreelist(path));
        using (var db = BoltDatabase.Open(path))
        {
            Assert.Empty(db.Check());
        }
        Assert.NotEqual(ulong.MaxValue, MetaFreelist(path));
    }

    private static ulong MetaFreelist(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var newest = BitConverter.ToUInt64(bytes, 16 + 48) > BitConverter.ToUInt64(bytes, 4096 + 16 + 48) ? 0 : 4096;
        return BitConverter.ToUInt64(bytes, newest + 16 + 32);
    }
}
