using Cairn.Protocol.Raftpb;
using Cairn.Storage.FileSystem;
using Cairn.Storage.Snap;
using Cairn.Storage.Tests.Wal;
using Google.Protobuf;
using WalSnapshot = Cairn.Protocol.Walpb.Snapshot;

namespace Cairn.Storage.Tests.Snap;

public sealed class SnapshotterTests
{
    internal static Snapshot MakeSnapshot(ulong term, ulong index, string data, params ulong[] voters)
    {
        var conf = new ConfState();
        conf.Voters.AddRange(voters);
        return new Snapshot { Data = ByteString.CopyFromUtf8(data), Metadata = SnapshotMetadata.Of(conf, index, term) };
    }

    [Fact]
    public void A_saved_snapshot_loads_back_from_a_file_named_after_term_and_index()
    {
        using var dir = new TempDirectory();
        var snapshotter = new Snapshotter(dir.Path);
        var snapshot = MakeSnapshot(2, 0xca, "{\"Root\":{}}", 1, 2, 3);
        snapshotter.SaveSnap(snapshot);

        Assert.True(File.Exists(dir.Combine("0000000000000002-00000000000000ca.snap")));
        var loaded = snapshotter.Load();
        Assert.Equal(SnapFileCodec.ToEtcdShape(snapshot), loaded);
        Assert.Equal("{\"Root\":{}}", loaded.Data.ToStringUtf8());
        Assert.Equal([1UL, 2, 3], loaded.Metadata.ConfState.Voters);
    }

    [Fact]
    public void An_empty_snapshot_is_not_written()
    {
        using var dir = new TempDirectory();
        new Snapshotter(dir.Path).SaveSnap(new Snapshot());
        Assert.Empty(Directory.GetFiles(dir.Path));
        var e = Assert.Throws<SnapException>(() => new Snapshotter(dir.Path).Load());
        Assert.Equal(SnapErrorKind.NoSnapshot, e.Kind);
        Assert.StartsWith("snap: no available snapshot", e.Message);
    }

    [Fact]
    public void A_broken_newest_snapshot_is_renamed_aside_and_the_next_one_loads()
    {
        using var dir = new TempDirectory();
        var snapshotter = new Snapshotter(dir.Path);
        snapshotter.SaveSnap(MakeSnapshot(1, 10, "older"));
        snapshotter.SaveSnap(MakeSnapshot(1, 20, "newer"));
        snapshotter.SaveSnap(MakeSnapshot(1, 30, "newest"));
        string newer = dir.Combine(SnapFileName.Snap(1, 20));
        string newest = dir.Combine(SnapFileName.Snap(1, 30));
        var bytes = File.ReadAllBytes(newer);
        bytes[^1] ^= 0xFF; // corrupt the data: crc mismatch
        File.WriteAllBytes(newer, bytes);
        File.WriteAllBytes(newest, []); // empty file

        Assert.Equal(SnapErrorKind.CrcMismatch, Assert.Throws<SnapException>(() => Snapshotter.Read(newer)).Kind);
        Assert.Equal(SnapErrorKind.EmptySnapshot, Assert.Throws<SnapException>(() => Snapshotter.Read(newest)).Kind);
        Assert.Equal("older", snapshotter.Load().Data.ToStringUtf8());
        Assert.True(File.Exists(newer + ".broken"));
        Assert.True(File.Exists(newest + ".broken"));
        Assert.False(File.Exists(newer));
        Assert.Equal([SnapFileName.Snap(1, 10)], snapshotter.SnapNames());
    }

    [Fact]
    public void LoadNewestAvailable_takes_the_newest_snapshot_the_wal_knows()
    {
        using var dir = new TempDirectory();
        var snapshotter = new Snapshotter(dir.Path);
        snapshotter.SaveSnap(MakeSnapshot(1, 10, "a"));
        snapshotter.SaveSnap(MakeSnapshot(2, 20, "b"));
        snapshotter.SaveSnap(MakeSnapshot(2, 30, "c")); // saved before its WAL record: a crash in between

        var known = new[] { new WalSnapshot { Index = 10, Term = 1 }, new WalSnapshot { Index = 20, Term = 2 } };
        Assert.Equal("b", snapshotter.LoadNewestAvailable(known).Data.ToStringUtf8());
        Assert.Equal("a", snapshotter.LoadNewestAvailable([new WalSnapshot { Index = 10, Term = 1 }, new WalSnapshot { Index = 20, Term = 3 }]).Data.ToStringUtf8());
        Assert.Equal(SnapErrorKind.NoSnapshot, Assert.Throws<SnapException>(() => snapshotter.LoadNewestAvailable([])).Kind);
    }

    [Fact]
    public void Orphaned_defragmentation_files_are_removed_when_listing()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.Combine("db.tmp.123"), "x");
        File.WriteAllText(dir.Combine("db"), "backend");
        var snapshotter = new Snapshotter(dir.Path);
        snapshotter.SaveSnap(MakeSnapshot(1, 5, "s"));
        Assert.Equal([SnapFileName.Snap(1, 5)], snapshotter.SnapNames());
        Assert.False(File.Exists(dir.Combine("db.tmp.123")));
        Assert.True(File.Exists(dir.Combine("db")));
    }

    [Fact]
    public async Task A_received_backend_is_stored_as_index_snap_db_and_swapped_in()
    {
        using var dir = new TempDirectory();
        var snapshotter = new Snapshotter(dir.Path);
        Assert.Equal(SnapErrorKind.NoDbSnapshot, Assert.Throws<SnapException>(() => snapshotter.DbFilePath(0x50)).Kind);

        byte[] backend = new byte[100_000];
        new Random(5).NextBytes(backend);
        Assert.Equal(backend.Length, await snapshotter.SaveDbFromAsync(new MemoryStream(backend), 0x50));
        string path = snapshotter.DbFilePath(0x50);
        Assert.Equal(dir.Combine("0000000000000050.snap.db"), path);
        Assert.Equal(backend, await File.ReadAllBytesAsync(path));
        Assert.Single(Directory.GetFiles(dir.Path)); // no temporary file left

        // A second copy of the same index keeps the first.
        await snapshotter.SaveDbFromAsync(new MemoryStream([1, 2, 3]), 0x50);
        Assert.Equal(backend, await File.ReadAllBytesAsync(path));

        await snapshotter.SaveDbFromAsync(new MemoryStream([4, 5, 6]), 0x10);
        Assert.Equal([SnapFileName.Db(0x10)], snapshotter.ReleaseSnapDbs(0x50));
        Assert.False(File.Exists(dir.Combine(SnapFileName.Db(0x10))));

        string live = dir.Combine("db");
        await File.WriteAllTextAsync(live, "old backend");
        snapshotter.InstallDb(0x50, live);
        Assert.Equal(backend, await File.ReadAllBytesAsync(live));
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void Purge_keeps_the_newest_snapshots_as_max_snapshots_does()
    {
        using var dir = new TempDirectory();
        var snapshotter = new Snapshotter(dir.Path);
        for (ulong i = 1; i <= 7; i++)
        {
            snapshotter.SaveSnap(MakeSnapshot(1, i * 100, "s"));
        }
        File.WriteAllText(dir.Combine("db"), "backend");
        var purged = snapshotter.Purge(maxSnapshots: 5);
        Assert.Equal([SnapFileName.Snap(1, 100), SnapFileName.Snap(1, 200)], purged);
        Assert.Equal(Enumerable.Range(3, 5).Select(i => SnapFileName.Snap(1, (ulong)i * 100)).Reverse(), snapshotter.SnapNames());
        Assert.True(File.Exists(dir.Combine("db")));
    }

    [Fact]
    public async Task The_purge_loop_removes_old_files_until_cancelled()
    {
        using var dir = new TempDirectory();
        var snapshotter = new Snapshotter(dir.Path);
        for (ulong i = 1; i <= 4; i++)
        {
            snapshotter.SaveSnap(MakeSnapshot(1, i, "s"));
        }
        var purged = new List<string>();
        var twoPurged = new TaskCompletionSource();
        using var stop = new CancellationTokenSource();
        var loop = FilePurger.RunAsync(dir.Path, "snap", max: 2, TimeSpan.FromMilliseconds(5), name =>
        {
            lock (purged)
            {
                purged.Add(name);
                if (purged.Count == 2)
                {
                    twoPurged.SetResult();
                }
            }
        }, stop.Token);
        await twoPurged.Task.WaitAsync(TimeSpan.FromSeconds(30));
        stop.Cancel();
        await loop;
        Assert.Equal([SnapFileName.Snap(1, 1), SnapFileName.Snap(1, 2)], purged);
        Assert.Equal([SnapFileName.Snap(1, 4), SnapFileName.Snap(1, 3)], snapshotter.SnapNames());
    }
}
