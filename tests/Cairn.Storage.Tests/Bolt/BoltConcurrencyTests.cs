using System.Buffers.Binary;
using Cairn.Storage.Bolt;

namespace Cairn.Storage.Tests.Bolt;

/// <summary>Readers see consistent snapshots while the writer commits; neither blocks the other; one writer at a time; one process per file.</summary>
public sealed class BoltConcurrencyTests : IDisposable
{
    private const int Keys = 300;
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static byte[] Key(int i) => BitConverter.GetBytes(BinaryPrimitives.ReverseEndianness(i));

    /// <summary>Every commit rewrites all keys with its version and a growing value, so the file grows and is remapped.</summary>
    private static void CommitVersion(BoltDatabase db, long version)
    {
        using var tx = db.BeginWrite();
        var bucket = tx.CreateBucketIfNotExists("data"u8);
        var value = new byte[8 + (int)(version % 50 * 40)];
        BinaryPrimitives.WriteInt64LittleEndian(value, version);
        for (var i = 0; i < Keys; i++)
        {
            bucket.Put(Key(i), value);
        }
        bucket.Put("version"u8, value.AsSpan(0, 8));
        tx.Commit();
    }

    private static long ReadAndVerifySnapshot(BoltTransaction tx)
    {
        var bucket = tx.Bucket("data"u8)!;
        Assert.True(bucket.TryGet("version"u8, out var v));
        var version = BinaryPrimitives.ReadInt64LittleEndian(v);
        var c = bucket.Cursor();
        var n = 0;
        for (var ok = c.First(); ok; ok = c.Next())
        {
            Assert.Equal(version, BinaryPrimitives.ReadInt64LittleEndian(c.Value));
            n++;
        }
        Assert.Equal(Keys + 1, n);
        return version;
    }

    [Fact]
    public async Task ReadersSeeConsistentSnapshotsWhileTheWriterCommits()
    {
        const int readers = 2;
        using var db = BoltDatabase.Open(_dir.File("db"), new BoltOptions { NoSync = true });
        CommitVersion(db, 0);
        using var done = new CancellationTokenSource();
        var reads = new int[readers];
        var readerTasks = Enumerable.Range(0, readers).Select(r => Task.Run(() =>
        {
            var last = 0L;
            while (!done.IsCancellationRequested)
            {
                using var tx = db.BeginRead();
                var version = ReadAndVerifySnapshot(tx);
                Assert.True(version >= last, "a later reader saw an older commit");
                last = version;
                Interlocked.Increment(ref reads[r]);
            }
        })).ToArray();
        var writer = Task.Run(() =>
        {
            // Keep committing until every reader has read a good number of snapshots taken mid-stream.
            for (var v = 1; v <= 150 || Enumerable.Range(0, readers).Any(i => Volatile.Read(ref reads[i]) < 20); v++)
            {
                CommitVersion(db, v);
                if (readerTasks.Any(t => t.IsFaulted))
                {
                    return;
                }
            }
        });
        await writer.WaitAsync(TimeSpan.FromMinutes(3));
        done.Cancel();
        await Task.WhenAll(readerTasks);
        Assert.All(reads, n => Assert.True(n >= 20));
        Assert.Empty(db.Check());
    }

    [Fact]
    public async Task ALongReaderKeepsItsSnapshotAndDoesNotBlockTheWriterThroughRemaps()
    {
        using var db = BoltDatabase.Open(_dir.File("db"), new BoltOptions { NoSync = true });
        CommitVersion(db, 0);
        using var reader = db.BeginRead();
        var sizeBefore = db.Size;

        // Grows the file well past the first map (32 KiB .. several MiB): the writer remaps while the reader is open.
        await Task.Run(() =>
        {
            for (var v = 1; v <= 60; v++)
            {
                CommitVersion(db, v);
            }
        }).WaitAsync(TimeSpan.FromMinutes(2));
        Assert.True(db.Size > sizeBefore * 4, $"file did not grow enough to remap ({sizeBefore} -> {db.Size})");
        Assert.Equal(0, ReadAndVerifySnapshot(reader));
        Assert.True(db.Stats.PendingPageN > 0, "pages the reader can see must stay pending");

        reader.Dispose();
        CommitVersion(db, 61);
        Assert.Empty(db.Check());
        using var fresh = db.BeginRead();
        Assert.Equal(61, ReadAndVerifySnapshot(fresh));
    }

    [Fact]
    public void AnOpenWriterDoesNotBlockReaders()
    {
        using var db = BoltDatabase.Open(_dir.File("db"), new BoltOptions { NoSync = true });
        CommitVersion(db, 1);
        using var writer = db.BeginWrite();
        writer.Bucket("data"u8)!.Put("version"u8, BitConverter.GetBytes(2L));
        using var reader = db.BeginRead();
        Assert.Equal(1, ReadAndVerifySnapshot(reader));
    }

    [Fact]
    public async Task WritersAreSerialized()
    {
        using var db = BoltDatabase.Open(_dir.File("db"), new BoltOptions { NoSync = true });
        var first = db.BeginWrite();
        var second = db.BeginWriteAsync();
        await Task.Delay(50);
        Assert.False(second.IsCompleted);
        first.CreateBucket("a"u8);
        first.Commit();
        using var tx = await second.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.NotNull(tx.Bucket("a"u8));
    }

    [Fact]
    public void TheFileLockKeepsASecondWriterOut()
    {
        var path = _dir.File("db");
        using var db = BoltDatabase.Open(path);
        var e = Assert.Throws<BoltException>(() => BoltDatabase.Open(path, new BoltOptions { LockTimeout = TimeSpan.FromMilliseconds(200) }));
        Assert.Equal(BoltErrorCode.LockTimeout, e.Code);
        Assert.Contains(path, e.Message);
        var r = Assert.Throws<BoltException>(() => BoltDatabase.Open(path, new BoltOptions { ReadOnly = true, LockTimeout = TimeSpan.FromMilliseconds(200) }));
        Assert.Equal(BoltErrorCode.LockTimeout, r.Code);
    }

    [Fact]
    public void ReadOnlyOpensShareTheFileAndRefuseWrites()
    {
        var path = _dir.File("db");
        using (var db = BoltDatabase.Open(path))
        {
            CommitVersion(db, 7);
        }
        using var a = BoltDatabase.Open(path, new BoltOptions { ReadOnly = true, LockTimeout = TimeSpan.FromSeconds(5) });
        using var b = BoltDatabase.Open(path, new BoltOptions { ReadOnly = true, LockTimeout = TimeSpan.FromSeconds(5) });
        using (var tx = b.BeginRead())
        {
            Assert.Equal(7, ReadAndVerifySnapshot(tx));
        }
        var e = Assert.Throws<BoltException>(() => a.BeginWrite());
        Assert.Equal(BoltErrorCode.DatabaseReadOnly, e.Code);
        Assert.Empty(a.Check());
    }
}
