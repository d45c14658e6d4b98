using Cairn.Protocol.Raftpb;
using Cairn.Storage.Wal;
using static Cairn.Storage.Tests.Wal.WalTestData;
using WalSnapshot = Cairn.Protocol.Walpb.Snapshot;

namespace Cairn.Storage.Tests.Wal;

/// <summary>
/// Crash damage: a torn or truncated last record is cut off (etcd's repair) and appending goes on;
/// damage anywhere else refuses to open, naming the file and the offset of the bad record.
/// </summary>
public sealed class WalTornTailTests
{
    private static readonly WalOptions Small = TornWalTemplates.Small;
    private static readonly byte[] Metadata = TornWalTemplates.Metadata;

    [Fact]
    public void A_last_entry_truncated_at_any_byte_is_reported_then_repaired()
    {
        using var tmp = new TempDirectory();
        string template = WriteFiveEntries(tmp, size: 300);
        var records = SegmentLayout.Read(LastSegment(template));
        Assert.Equal(WalRecordType.State, records[^1].Type);
        var lastEntry = records.Last(r => r.Type == WalRecordType.Entry);

        // Cutting inside the entry or at its end takes the hard state after it along.
        for (long cut = lastEntry.Start; cut <= lastEntry.End; cut++)
        {
            bool partial = cut > lastEntry.Start && cut < lastEntry.End;
            // Appending after the repair is checked at a few cuts; recovery itself at every one.
            bool append = cut == lastEntry.Start + 1 || cut == (lastEntry.Start + lastEntry.End) / 2 || cut == lastEntry.End - 1;
            AssertCutRecovers(tmp, template, cut, partial ? lastEntry.Start : null, expectedEntries: cut == lastEntry.End ? 5 : 4, append: append);
        }
    }

    [Fact]
    public void The_hard_state_a_save_ends_with_truncated_at_any_byte_is_reported_then_repaired()
    {
        // Save writes the hard state after the entries: on disk it, not the last entry, is the
        // record a crash during a Save tears last.
        using var tmp = new TempDirectory();
        string template = WriteFiveEntries(tmp, size: 300);
        var state = SegmentLayout.Read(LastSegment(template))[^1];
        Assert.Equal(WalRecordType.State, state.Type);

        for (long cut = state.Start; cut <= state.End; cut++)
        {
            bool partial = cut > state.Start && cut < state.End;
            // Without the whole record the state saved with entry 4 is the last one again.
            var expectedState = cut == state.End ? HardState.Of(1, 0, 5) : HardState.Of(1, 0, 4);
            AssertCutRecovers(tmp, template, cut, partial ? state.Start : null, expectedEntries: 5, expectedState);
        }
    }

    [Fact]
    public void A_new_segment_cut_inside_its_opening_records_is_repaired_back_to_a_record_boundary()
    {
        // A cut segment opens with a CRC record (the chain so far), the metadata and the hard
        // state. etcd renames it into place only once those are synced, but a disk can still lose
        // their tail; the repair reads the segment on its own (a fresh CRC chain taken from its
        // CRC record) and cuts it back like any other, down to nothing at all.
        using var tmp = new TempDirectory();
        string template = tmp.Combine("template");
        int entries = TornWalTemplates.WriteUntilFirstCut(template);
        var records = SegmentLayout.Read(LastSegment(template));
        Assert.Equal([WalRecordType.Crc, WalRecordType.Metadata, WalRecordType.State], records.Select(r => r.Type));

        for (long cut = 0; cut <= records[^1].End; cut++)
        {
            long boundary = records.Select(r => r.End).Where(end => end <= cut).DefaultIfEmpty(0).Max();
            // The first segment ends with the same hard state, so nothing is lost but the header.
            AssertCutRecovers(tmp, template, cut, cut != boundary ? boundary : null, entries, HardState.Of(1, 0, (ulong)entries));
        }
    }

    [Fact]
    public void A_last_record_whose_trailing_sectors_never_reached_the_disk_is_repaired()
    {
        using var tmp = new TempDirectory();
        string template = WriteFiveEntries(tmp, size: 2000);
        string segment = Path.GetFileName(LastSegment(template));
        var lastEntry = SegmentLayout.Read(Path.Combine(template, segment)).Last(r => r.Type == WalRecordType.Entry);
        var state = SegmentLayout.Read(Path.Combine(template, segment))[^1];

        // Every sector boundary inside the record: the sectors from there on read as zeros.
        for (long from = (lastEntry.Start / 512 + 1) * 512; from < lastEntry.End; from += 512)
        {
            string dir = tmp.Combine($"zero-{from}");
            CopyDirectory(template, dir);
            Zero(Path.Combine(dir, segment), from, state.End - from);
            AssertRecoversAndAppends(dir, expectedEntries: 4, cut: from);
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void A_zero_sector_inside_the_last_segment_loses_what_follows_as_etcd_does()
    {
        using var tmp = new TempDirectory();
        string dir = WriteFiveEntries(tmp, size: 4096);
        // The second entry spans 4096..8192 or so: zero a whole sector inside it.
        Zero(LastSegment(dir), 4096 + 512, 512);
        AssertRecoversAndAppends(dir, expectedEntries: 1, cut: 0);
    }

    [Fact]
    public void A_corrupted_record_before_the_tail_refuses_to_open_naming_file_and_offset()
    {
        using var tmp = new TempDirectory();
        string dir = WriteFiveEntries(tmp, size: 300);
        string segment = LastSegment(dir);
        var second = SegmentLayout.Read(segment).Where(r => r.Type == WalRecordType.Entry).ElementAt(1);
        FlipByte(segment, second.End - 20);

        using (var wal = WriteAheadLog.Open(dir, new WalSnapshot(), Small))
        {
            var e = Assert.Throws<WalException>(() => wal.ReadAll());
            Assert.Equal(WalErrorKind.CrcMismatch, e.Kind);
            Assert.Equal(segment, e.SegmentPath);
            Assert.Equal(second.Start, e.Offset);
            Assert.Contains($"{segment} at offset {second.Start}", e.Message);
        }
        var refused = Assert.Throws<WalException>(() => WriteAheadLog.Recover(dir, new WalSnapshot(), options: Small));
        Assert.Equal(WalErrorKind.CrcMismatch, refused.Kind);
        Assert.False(File.Exists(segment + ".broken"));
        Assert.False(WalRepair.Repair(dir));
        Assert.Throws<WalException>(() => WalInspection.Verify(dir, new WalSnapshot()));
    }

    [Fact]
    public void A_corrupted_last_record_that_is_no_torn_write_is_corruption_too()
    {
        using var tmp = new TempDirectory();
        string dir = WriteFiveEntries(tmp, size: 300);
        string segment = LastSegment(dir);
        var last = SegmentLayout.Read(segment)[^1];
        FlipByte(segment, last.End - 3);
        var e = Assert.Throws<WalException>(() => WriteAheadLog.Recover(dir, new WalSnapshot(), options: Small));
        Assert.Equal(WalErrorKind.CrcMismatch, e.Kind);
        Assert.Equal(last.Start, e.Offset);
    }

    [Fact]
    public void Damage_in_an_older_segment_is_never_taken_for_a_torn_write()
    {
        using var tmp = new TempDirectory();
        string dir = tmp.Combine("wal");
        using (var wal = WriteAheadLog.Create(dir, Metadata, Small))
        {
            for (ulong i = 1; i <= 200; i++)
            {
                wal.Save(HardState.Of(1, 0, i), Entries(i, i, size: 1000));
            }
        }
        string first = Directory.GetFiles(dir, "*.wal").Order(StringComparer.Ordinal).First();
        var entry = SegmentLayout.Read(first).Where(r => r.Type == WalRecordType.Entry).ElementAt(3);
        Zero(first, (entry.Start / 512 + 1) * 512, 512);

        var e = Assert.Throws<WalException>(() => WriteAheadLog.Recover(dir, new WalSnapshot(), options: Small));
        Assert.Equal(WalErrorKind.CrcMismatch, e.Kind);
        Assert.Equal(first, e.SegmentPath);
        Assert.Equal(entry.Start, e.Offset);
    }

    [Fact]
    public void An_absurd_record_length_is_refused()
    {
        using var tmp = new TempDirectory();
        string dir = WriteFiveEntries(tmp, size: 300);
        string segment = LastSegment(dir);
        var second = SegmentLayout.Read(segment).Where(r => r.Type == WalRecordType.Entry).ElementAt(1);
        using (var f = new FileStream(segment, FileMode.Open))
        {
            f.Position = second.Start + 4;
            f.WriteByte(0x7F);
        }
        using var wal = WriteAheadLog.Open(dir, new WalSnapshot(), Small);
        var e = Assert.Throws<WalException>(() => wal.ReadAll());
        Assert.Equal(WalErrorKind.MaxEntrySizeExceeded, e.Kind);
        Assert.Equal(second.Start, e.Offset);
    }

    [Fact]
    public void After_a_torn_write_the_stale_bytes_behind_it_are_zeroed_so_new_records_read_back()
    {
        // etcd's TestOpenOnTornWrite: zero one record in the middle; the records after it are
        // dropped and must not resurface as corruption once new, shorter records are written.
        using var tmp = new TempDirectory();
        string dir = tmp.Combine("wal");
        var ends = new List<long>();
        using (var wal = WriteAheadLog.Create(dir, Metadata, Small))
        {
            for (ulong i = 1; i <= 40; i++)
            {
                wal.Save(HardState.Of(0, 0, 0), Entries(i, i, size: 8));
            }
        }
        string segment = LastSegment(dir);
        var entries = SegmentLayout.Read(segment).Where(r => r.Type == WalRecordType.Entry).ToList();
        Zero(segment, entries[20].Start, entries[20].End - entries[20].Start);

        using (var opened = WriteAheadLog.Open(dir, new WalSnapshot(), Small))
        {
            Assert.Equal(20, opened.ReadAll().Entries.Count);
            for (ulong i = 21; i <= 25; i++)
            {
                opened.Save(HardState.Of(0, 0, 0), [Entry.Of(0, i, EntryType.EntryNormal, Google.Protobuf.ByteString.CopyFromUtf8("new"))]);
            }
        }
        using var reader = WriteAheadLog.OpenForRead(dir, new WalSnapshot(), Small);
        var all = reader.ReadAll().Entries;
        Assert.Equal(25, all.Count);
        Assert.Equal("new", all[^1].Data.ToStringUtf8());
    }

    private static string WriteFiveEntries(TempDirectory tmp, int size)
    {
        string dir = tmp.Combine("template");
        TornWalTemplates.WriteFiveSaves(dir, size);
        return dir;
    }

    // One copy of the template with its last segment cut at <cut>: the torn record (if the cut
    // tears one) reported, then recovered from and appended to.
    private static void AssertCutRecovers(
        TempDirectory tmp, string template, long cut, long? tornRecordStart, int expectedEntries, HardState? expectedState = null, bool append = true)
    {
        string dir = tmp.Combine($"cut-{cut}");
        string segment = TornWalTemplates.CopyWithLastSegmentCut(template, dir, cut);
        if (tornRecordStart is { } start)
        {
            AssertReportedTorn(dir, segment, start, expectedEntries);
        }
        AssertRecoversAndAppends(dir, expectedEntries, cut, append, expectedState);
        AssertBrokenCopy(segment, tornRecordStart is not null, cut);
        Directory.Delete(dir, recursive: true);
    }

    // What etcd's server sees before it repairs: opening to append refuses the torn record,
    // naming it; opening to read stops quietly before it.
    private static void AssertReportedTorn(string dir, string segment, long recordStart, int entriesBefore)
    {
        using (var opened = WriteAheadLog.Open(dir, new WalSnapshot(), Small))
        {
            var e = Assert.Throws<WalException>(() => opened.ReadAll());
            Assert.Equal(WalErrorKind.UnexpectedEof, e.Kind);
            Assert.Equal(segment, e.SegmentPath);
            Assert.Equal(recordStart, e.Offset);
        }
        using var reader = WriteAheadLog.OpenForRead(dir, new WalSnapshot(), Small);
        Assert.Equal(entriesBefore, reader.ReadAll().Entries.Count);
    }

    // The repair keeps the segment as it found it in <segment>.broken, and only when it cut something.
    private static void AssertBrokenCopy(string segment, bool cutSomething, long tornLength)
    {
        string broken = segment + ".broken";
        Assert.Equal(cutSomething, File.Exists(broken));
        if (cutSomething)
        {
            Assert.Equal(tornLength, new FileInfo(broken).Length);
        }
    }

    private static void AssertRecoversAndAppends(string dir, int expectedEntries, long cut, bool append = true, HardState? expectedState = null)
    {
        var (wal, contents) = WriteAheadLog.Recover(dir, new WalSnapshot(), options: Small);
        using (wal)
        {
            Assert.True(expectedEntries == contents.Entries.Count, $"damage at {cut}: {contents.Entries.Count} entries recovered, expected {expectedEntries}");
            AssertSameEntries(Entries(1, (ulong)expectedEntries, size: contents.Entries.Count == 0 ? 0 : contents.Entries[0].Data.Length), contents.Entries);
            if (expectedState is not null)
            {
                Assert.True(expectedState.Equals(contents.State), $"damage at {cut}: hard state {contents.State} recovered, expected {expectedState}");
            }
            if (!append)
            {
                return;
            }
            wal.Save(HardState.Of(2, 0, 0), Entries((ulong)expectedEntries + 1, (ulong)expectedEntries + 3, term: 2));
        }
        using var reader = WriteAheadLog.OpenForRead(dir, new WalSnapshot(), Small);
        var after = reader.ReadAll();
        Assert.Equal(expectedEntries + 3, after.Entries.Count);
        Assert.Equal(HardState.Of(2, 0, 0), after.State);
    }

    private static void Zero(string path, long offset, long count)
    {
        using var f = new FileStream(path, FileMode.Open);
        f.Position = offset;
        f.Write(new byte[count]);
    }

    private static void FlipByte(string path, long offset)
    {
        using var f = new FileStream(path, FileMode.Open);
        f.Position = offset;
        int b = f.ReadByte();
        f.Position = offset;
        f.WriteByte((byte)(b ^ 0x5A));
    }
}
