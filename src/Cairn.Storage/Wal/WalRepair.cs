using Cairn.Storage.FileSystem;

namespace Cairn.Storage.Wal;

/// <summary>etcd's <c>wal.Repair</c>: cuts a torn record off the end of the last segment.</summary>
public static class WalRepair
{
    /// <summary>
    /// Reads the last segment; if it ends inside a record (a torn write), copies the segment to
    /// <c>&lt;name&gt;.broken</c>, truncates it after its last valid record and fsyncs it. Returns
    /// true when the segment is now clean (also when it already was), false when it cannot be
    /// repaired: corruption that is not a torn tail, or a missing directory or segment.
    /// </summary>
    public static bool Repair(string directory)
    {
        List<string> names;
        try
        {
            names = WalSegmentName.ReadSegmentNames(directory);
        }
        catch (IOException)
        {
            return false;
        }
        if (names.Count == 0)
        {
            return false;
        }
        string path = Path.Combine(directory, names[^1]);
        using var file = LockedFile.Lock(path, FileMode.Open, FileAccess.ReadWrite);
        var decoder = new WalDecoder([new SegmentReader(file, names[^1])]);
        try
        {
            while (true)
            {
                long lastOffset = decoder.LastValidOffset;
                switch (decoder.Decode(out var record))
                {
                    case DecodeStatus.Record:
                        if (record.Type == (long)WalRecordType.Crc)
                        {
                            WalReplay.CheckCrcRecord(decoder, record.Crc); // a broken chain is no torn tail
                        }
                        continue;
                    case DecodeStatus.End:
                        return true;
                    case DecodeStatus.TornTail:
                        KeepBrokenCopy(file, path + ".broken");
                        file.Truncate(lastOffset);
                        file.Fsync();
                        return true;
                }
            }
        }
        catch (WalException)
        {
            return false;
        }
    }

    private static void KeepBrokenCopy(LockedFile file, string brokenPath)
    {
        using var broken = new FileStream(brokenPath, FileMode.Create, FileAccess.Write);
        var buffer = new byte[1024 * 1024];
        long offset = 0;
        int n;
        while ((n = file.Read(buffer, offset)) > 0)
        {
            broken.Write(buffer, 0, n);
            offset += n;
        }
    }
}
