using Cairn.Protocol.Raftpb;
using Cairn.Storage.Wal;
using static Cairn.Storage.Tests.Wal.WalTestData;

namespace Cairn.Storage.Tests.Wal;

/// <summary>
/// What a Save costs in flushes, counted where the WAL hands them to the disk: one fdatasync per
/// batch however many entries it carries (group commit rests on it), none when raft has nothing
/// it must persist, one more for the new segment when the current one is full.
/// </summary>
public sealed class WalSyncTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(10)]
    [InlineData(1000)]
    public void One_save_is_one_fdatasync_of_the_live_segment_however_many_entries_it_carries(int batch)
    {
        using var tmp = new TempDirectory();
        var syncs = new CountingDataSync();
        using var wal = WriteAheadLog.Create(tmp.Combine("wal"), null, new WalOptions { DataSync = syncs });
        string segment = LastSegment(tmp.Combine("wal"));
        int afterCreate = syncs.Count;

        ulong last = 0;
        for (int save = 1; save <= 3; save++)
        {
            var entries = Entries(last + 1, last + (ulong)batch);
            last += (ulong)batch;
            wal.Save(HardState.Of(1, 0, last), entries);
            Assert.Equal(afterCreate + save, syncs.Count);
            Assert.Equal(segment, syncs.Synced[^1]);
        }
    }

    [Fact]
    public void A_save_that_moves_only_the_commit_index_is_not_synced()
    {
        // As etcd's mustSync: a lost commit index is learned again from the leader; entries, term and vote are not.
        using var tmp = new TempDirectory();
        var syncs = new CountingDataSync();
        using var wal = WriteAheadLog.Create(tmp.Combine("wal"), null, new WalOptions { DataSync = syncs });
        wal.Save(HardState.Of(1, 0, 0), Entries(1, 5));
        int before = syncs.Count;

        wal.Save(HardState.Of(1, 0, 5), []);
        Assert.Equal(before, syncs.Count);
        wal.Save(HardState.Of(1, 2, 5), []);
        Assert.Equal(before + 1, syncs.Count);
    }

    [Fact]
    public void A_save_that_fills_the_segment_syncs_it_and_the_new_one_once_each()
    {
        using var tmp = new TempDirectory();
        string dir = tmp.Combine("wal");
        var syncs = new CountingDataSync();
        using var wal = WriteAheadLog.Create(dir, null, new WalOptions { SegmentSizeBytes = 16 * 1024, DataSync = syncs });
        string first = LastSegment(dir);
        wal.Save(HardState.Of(1, 0, 100), Entries(1, 100, size: 200)); // about 21 KB: past the 16 KiB segment
        int before = syncs.Count;

        // As etcd, fullness is judged by what reached the file before this Save: the next one cuts.
        wal.Save(HardState.Of(1, 0, 101), Entries(101, 101));
        Assert.Equal(2, wal.OpenSegments.Count);
        var synced = syncs.Synced.Skip(before).ToList();
        Assert.Equal(2, synced.Count);
        Assert.Equal(first, synced[0]);
        // The new segment's opening records are synced while it is still a .tmp file, before its name makes it part of the log.
        Assert.Equal(dir, Path.GetDirectoryName(synced[1]));
        Assert.EndsWith(".tmp", synced[1], StringComparison.Ordinal);
    }
}
