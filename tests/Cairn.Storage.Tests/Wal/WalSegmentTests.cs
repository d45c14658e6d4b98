using Cairn.Protocol.Raftpb;
using Cairn.Storage.FileSystem;
using Cairn.Storage.Wal;
using static Cairn.Storage.Tests.Wal.WalTestData;
using WalSnapshot = Cairn.Protocol.Walpb.Snapshot;

namespace Cairn.Storage.Tests.Wal;

/// <summary>Segment rollover, the CRC chain carried between segments, and releasing old segments.</summary>
public sealed class WalSegmentTests
{
    private static readonly WalOptions Tiny = new() { SegmentSizeBytes = 16 * 1024 };
    private static readonly byte[] Metadata = "segments"u8.ToArray();

    [Fact]
    public void Full_segments_are_cut_and_named_after_the_next_entry_index()
    {
        using var tmp = new TempDirectory();
        string dir = tmp.Combine("wal");
        WriteEntries(dir, 300);

        var names = WalSegmentName.ReadSegmentNames(dir);
        Assert.True(names.Count >= 5, $"only {names.Count} segments");
        Assert.Empty(Directory.GetFiles(dir, "*.tmp"));
        ulong previousLastIndex = 0;
        for (int i = 0; i < names.Count; i++)
        {
            Assert.True(WalSegmentName.TryParse(names[i], out ulong seq, out ulong index));
            Assert.Equal((ulong)i, seq);
            Assert.Equal(i == 0 ? 0 : previousLastIndex + 1, index);

            string path = Path.Combine(dir, names[i]);
            var records = SegmentLayout.Read(path);
            Assert.Equal(WalRecordType.Crc, records[0].Type);
            Assert.Equal(WalRecordType.Metadata, records[1].Type);
            if (i > 0)
            {
                Assert.Equal(WalRecordType.State, records[2].Type); // the last hard state opens each new segment
            }
            long length = new FileInfo(path).Length;
            if (i < names.Count - 1)
            {
                Assert.Equal(records[^1].End, length); // full segments are truncated to their records
                Assert.True(records[^1].End >= Tiny.SegmentSizeBytes);
            }
            else
            {
                Assert.Equal(Tiny.SegmentSizeBytes, length); // the live one stays preallocated
            }
            previousLastIndex = LastEntryIndex(path) ?? previousLastIndex;
        }

        using var reader = WriteAheadLog.OpenForRead(dir, new WalSnapshot(), Tiny);
        var contents = reader.ReadAll();
        AssertSameEntries(Entries(1, 300, size: 200), contents.Entries);
        Assert.Equal(HardState.Of(1, 0, 300), contents.State);
    }

    [Fact]
    public void Each_segment_opens_with_the_crc_its_predecessor_ended_with()
    {
        using var tmp = new TempDirectory();
        string dir = tmp.Combine("wal");
        WriteEntries(dir, 200);
        var names = WalSegmentName.ReadSegmentNames(dir);
        Assert.Equal(0u, SegmentLayout.Read(Path.Combine(dir, names[0]))[0].Crc);
        for (int i = 1; i < names.Count; i++)
        {
            uint carried = SegmentLayout.Read(Path.Combine(dir, names[i]))[0].Crc;
            uint ended = SegmentLayout.Read(Path.Combine(dir, names[i - 1]))[^1].Crc;
            Assert.Equal(ended, carried);
        }
    }

    [Fact]
    public void A_segment_whose_crc_record_breaks_the_chain_refuses_to_open()
    {
        using var tmp = new TempDirectory();
        string dir = tmp.Combine("wal");
        WriteEntries(dir, 200);
        string second = Path.Combine(dir, WalSegmentName.ReadSegmentNames(dir)[1]);
        using (var f = new FileStream(second, FileMode.Open))
        {
            f.Position = WalFrame.LengthBytes + 3; // inside the carried crc's varint
            int b = f.ReadByte();
            f.Position--;
            f.WriteByte((byte)(b ^ 0x01));
        }
        var e = Assert.Throws<WalException>(() => WriteAheadLog.Recover(dir, new WalSnapshot(), options: Tiny));
        Assert.Equal(WalErrorKind.CrcMismatch, e.Kind);
        Assert.Equal(second, e.SegmentPath);
        Assert.Equal(0, e.Offset);
    }

    [Fact]
    public void Opening_at_a_snapshot_skips_the_segments_before_the_one_holding_it()
    {
        using var tmp = new TempDirectory();
        string dir = tmp.Combine("wal");
        using (var wal = WriteAheadLog.Create(dir, Metadata, Tiny))
        {
            for (ulong i = 1; i <= 200; i++)
            {
                wal.Save(HardState.Of(1, 0, i), Entries(i, i, size: 200));
                if (i == 150)
                {
                    wal.SaveSnapshot(new WalSnapshot { Index = 150, Term = 1 });
                }
            }
        }
        var names = WalSegmentName.ReadSegmentNames(dir);
        int holding = WalSegmentName.Search(names, 150);
        Assert.True(holding > 0);

        using var reopened = WriteAheadLog.Open(dir, new WalSnapshot { Index = 150, Term = 1 }, Tiny);
        Assert.Equal(names.Skip(holding), reopened.OpenSegments);
        AssertSameEntries(Entries(151, 200, size: 200), reopened.ReadAll().Entries);
    }

    [Fact]
    public void ReleaseLockTo_keeps_the_newest_segment_before_the_index_and_lets_purge_take_the_rest()
    {
        using var tmp = new TempDirectory();
        string dir = tmp.Combine("wal");
        using var wal = WriteAheadLog.Create(dir, Metadata, Tiny);
        for (ulong i = 1; i <= 300; i++)
        {
            wal.Save(HardState.Of(1, 0, i), Entries(i, i, size: 400));
        }
        var names = wal.OpenSegments.ToList();
        Assert.True(names.Count >= 7, $"only {names.Count} segments");
        var starts = names.Select(n => { WalSegmentName.TryParse(n, out _, out ulong idx); return idx; }).ToList();

        // An index inside segment 3: segments 0 to 2 go, 3 (holding the index) stays.
        wal.ReleaseLockTo(starts[3] + 1);
        Assert.Equal(names.Skip(3), wal.OpenSegments);
        wal.ReleaseLockTo(starts[1]); // going back releases nothing
        Assert.Equal(names.Skip(3), wal.OpenSegments);
        // Exactly a segment's first index: the one before it stays (it may end with the entry before).
        wal.ReleaseLockTo(starts[5]);
        Assert.Equal(names.Skip(4), wal.OpenSegments);

        // The purger removes released segments only: it stops at the first one still locked.
        Assert.Equal(names.Take(4), FilePurger.PurgeOnce(dir, "wal", max: 1));
        Assert.Equal(names.Skip(4), WalSegmentName.ReadSegmentNames(dir));

        // Past the last segment's start: all but the last are released.
        wal.ReleaseLockTo(ulong.MaxValue);
        Assert.Equal([names[^1]], wal.OpenSegments);
        Assert.Equal(names.Skip(4).SkipLast(1), FilePurger.PurgeOnce(dir, "wal", max: 1));
        Assert.Equal([names[^1]], WalSegmentName.ReadSegmentNames(dir));
    }

    [Fact]
    public void Segment_names_parse_as_etcd_parses_them()
    {
        Assert.Equal("000000000000000a-00000000000000ff.wal", WalSegmentName.Format(10, 255));
        Assert.True(WalSegmentName.TryParse("000000000000000a-00000000000000ff.wal", out ulong seq, out ulong index));
        Assert.Equal((10UL, 255UL), (seq, index));
        Assert.False(WalSegmentName.TryParse("000000000000000a-00000000000000ff.wal.broken", out _, out _));
        Assert.False(WalSegmentName.TryParse("0.tmp", out _, out _));
        Assert.False(WalSegmentName.TryParse("zz-00.wal", out _, out _));
        Assert.Equal(1, WalSegmentName.Search(["0000000000000000-0000000000000000.wal", "0000000000000001-0000000000000010.wal", "0000000000000002-0000000000000020.wal"], 0x1f));
        Assert.Equal(-1, WalSegmentName.Search(["0000000000000001-0000000000000010.wal"], 5));
    }

    private static void WriteEntries(string dir, int count)
    {
        using var wal = WriteAheadLog.Create(dir, Metadata, Tiny);
        for (ulong i = 1; i <= (ulong)count; i++)
        {
            wal.Save(HardState.Of(1, 0, i), Entries(i, i, size: 200));
        }
    }

    private static ulong? LastEntryIndex(string segment)
    {
        using var reader = LockedFile.OpenUnlocked(segment);
        var bytes = File.ReadAllBytes(segment);
        var entries = SegmentLayout.Read(segment).Where(r => r.Type == WalRecordType.Entry).ToList();
        if (entries.Count == 0)
        {
            return null;
        }
        var last = entries[^1];
        // the record's data holds the entry; decode it the way the WAL does
        var frame = bytes.AsSpan((int)last.Start + WalFrame.LengthBytes, (int)(last.End - last.Start) - WalFrame.LengthBytes);
        WalPayloadCodec.TryParseRecord(frame, out _, out _, out int start, out int length, out _);
        return Entry.Parser.ParseFrom(frame.Slice(start, length)).Index;
    }
}
