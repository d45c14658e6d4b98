using Cairn.Storage.FileSystem;
using Cairn.Storage.Wal;

namespace Cairn.Storage.Tests.Wal;

/// <summary>Where each record of a segment file lies, for tests that damage specific records.</summary>
public static class SegmentLayout
{
    public sealed record RecordSpan(long Start, long End, WalRecordType Type, uint Crc);

    public static List<RecordSpan> Read(string path)
    {
        var spans = new List<RecordSpan>();
        using var file = LockedFile.OpenUnlocked(path);
        var decoder = new WalDecoder([new SegmentReader(file, Path.GetFileName(path))]);
        long start = 0;
        while (decoder.Decode(out var record) == DecodeStatus.Record)
        {
            if (record.Type == (long)WalRecordType.Crc)
            {
                decoder.Crc = record.Crc;
            }
            spans.Add(new RecordSpan(start, decoder.LastValidOffset, (WalRecordType)record.Type, record.Crc));
            start = decoder.LastValidOffset;
        }
        return spans;
    }
}
