using Cairn.Protocol.Raftpb;
using Cairn.Storage.FileSystem;
using Cairn.Storage.Wal;
using WalSnapshot = Cairn.Protocol.Walpb.Snapshot;

namespace Cairn.Storage.Tests.Wal;

/// <summary>
/// WALs no correct writer produces, written record by record with a valid CRC chain: each is
/// refused with the error etcd gives, naming the file and the record's offset, and never crashes.
/// </summary>
public sealed class CraftedWalTests
{
    [Fact]
    public void An_unknown_record_type_is_refused()
    {
        using var tmp = new TempDirectory();
        string segment = Write(tmp.Path, WalSegmentName.Format(0, 0), 0, e =>
        {
            Header(e, "m"u8.ToArray());
            e.Encode((WalRecordType)9, "?"u8, hasData: true);
        }).Path;
        var error = ReadAllError(tmp.Path);
        Assert.Equal(WalErrorKind.UnexpectedRecordType, error.Kind);
        Assert.Equal(segment, error.SegmentPath);
        Assert.Contains("type 9", error.Message);
    }

    [Fact]
    public void Segments_with_different_metadata_are_refused()
    {
        using var tmp = new TempDirectory();
        var first = Write(tmp.Path, WalSegmentName.Format(0, 0), 0, e => Header(e, "cluster-a"u8.ToArray()));
        Write(tmp.Path, WalSegmentName.Format(1, 1), first.Crc, e =>
        {
            e.EncodeCrcRecord();
            e.EncodeMetadata("cluster-b"u8.ToArray());
        });
        Assert.Equal(WalErrorKind.MetadataConflict, ReadAllError(tmp.Path).Kind);
        Assert.Equal(WalErrorKind.MetadataConflict,
            Assert.Throws<WalException>(() => WalInspection.Verify(tmp.Path, new WalSnapshot())).Kind);
    }

    [Fact]
    public void An_entry_that_does_not_unmarshal_is_refused_not_a_crash()
    {
        using var tmp = new TempDirectory();
        long offset = 0;
        string segment = Write(tmp.Path, WalSegmentName.Format(0, 0), 0, e =>
        {
            Header(e, null);
            e.Flush();
            offset = e.Offset;
            e.Encode(WalRecordType.Entry, [0x0A, 0xFF, 0xFF], hasData: true); // field 1 as bytes, truncated
        }).Path;
        var error = ReadAllError(tmp.Path);
        Assert.Equal(WalErrorKind.Corrupt, error.Kind);
        Assert.Equal(segment, error.SegmentPath);
        Assert.Equal(offset, error.Offset);
    }

    [Fact]
    public void A_record_that_is_not_a_walpb_record_is_corruption_unless_torn()
    {
        using var tmp = new TempDirectory();
        string path = Write(tmp.Path, WalSegmentName.Format(0, 0), 0, e => Header(e, null)).Path;
        long end = SegmentLayout.Read(path)[^1].End;
        using (var f = new FileStream(path, FileMode.Open))
        {
            f.Position = end;
            f.Write([0x08, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]); // 8 bytes of a bad tag
        }
        var error = ReadAllError(tmp.Path);
        Assert.Equal(WalErrorKind.Corrupt, error.Kind);
        Assert.Equal(end, error.Offset);
    }

    private static void Header(WalEncoder e, byte[]? metadata)
    {
        e.EncodeCrcRecord();
        e.EncodeMetadata(metadata);
        e.EncodeSnapshot(0, 0);
    }

    private static (string Path, uint Crc) Write(string dir, string name, uint previousCrc, Action<WalEncoder> records)
    {
        string path = Path.Combine(dir, name);
        using var file = LockedFile.Lock(path, FileMode.Create, FileAccess.ReadWrite);
        var encoder = new WalEncoder(file, 0, previousCrc);
        records(encoder);
        encoder.Flush();
        return (path, encoder.Crc);
    }

    private static WalException ReadAllError(string dir)
    {
        using var wal = WriteAheadLog.Open(dir, new WalSnapshot());
        return Assert.Throws<WalException>(() => wal.ReadAll());
    }
}
