using Cairn.Protocol.Raftpb;
using Cairn.Storage.Wal;
using static Cairn.Storage.Tests.Wal.WalTestData;

namespace Cairn.Storage.Tests.Wal;

/// <summary>
/// WALs for crash-damage tests, and copies of them cut short as a crash mid-write leaves them.
/// Both end the way a real Save leaves the last segment: a hard state after the entries, or a
/// freshly cut segment holding only its opening CRC, metadata and hard state records.
/// </summary>
public static class TornWalTemplates
{
    // fsync is not what these WALs are for; without it the byte-by-byte loops stay fast.
    public static readonly WalOptions Small = new() { SegmentSizeBytes = 64 * 1024, UnsafeNoFsync = true };
    public static readonly byte[] Metadata = "torn"u8.ToArray();

    /// <summary>Five Saves of one entry each (entry i with hard state (1, 0, i)), in one segment.</summary>
    public static void WriteFiveSaves(string dir, int size)
    {
        using var wal = WriteAheadLog.Create(dir, Metadata, Small);
        for (ulong i = 1; i <= 5; i++)
        {
            wal.Save(HardState.Of(1, 0, i), Entries(i, i, size: size));
        }
    }

    /// <summary>Saves of one 1000-byte entry each until the first segment is full and cut; returns the entry count.</summary>
    public static int WriteUntilFirstCut(string dir)
    {
        using var wal = WriteAheadLog.Create(dir, Metadata, Small);
        ulong i = 0;
        while (wal.OpenSegments.Count < 2)
        {
            i++;
            wal.Save(HardState.Of(1, 0, i), Entries(i, i, size: 1000));
        }
        return (int)i;
    }

    /// <summary>Copies the WAL in <paramref name="template"/> to <paramref name="dir"/> with its last segment cut to <paramref name="length"/> bytes; returns that segment's path.</summary>
    public static string CopyWithLastSegmentCut(string template, string dir, long length)
    {
        CopyDirectory(template, dir);
        string segment = Path.Combine(dir, Path.GetFileName(LastSegment(template)));
        using var f = new FileStream(segment, FileMode.Open);
        f.SetLength(length);
        return segment;
    }
}
