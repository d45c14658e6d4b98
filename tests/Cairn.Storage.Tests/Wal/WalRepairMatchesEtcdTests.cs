using Cairn.Storage.Wal;
using static Cairn.Storage.Tests.Wal.WalTestData;

namespace Cairn.Storage.Tests.Wal;

/// <summary>
/// Cairn's <see cref="WalRepair"/> against etcd's own <c>wal.Repair</c> (through walcheck): on
/// copies of a WAL whose last segment a crash cut short in the records a Save writes last, both
/// answer the same and leave the same files byte for byte, the cut segment and its .broken copy.
/// </summary>
[Collection(GoWalCheckCollection.Name)]
public sealed class WalRepairMatchesEtcdTests(GoWalCheck go)
{
    [Fact]
    public async Task A_save_torn_in_its_last_entry_or_its_hard_state_is_repaired_as_etcd_repairs_it()
    {
        using var tmp = new TempDirectory();
        string template = tmp.Combine("template");
        TornWalTemplates.WriteFiveSaves(template, size: 300);
        var records = SegmentLayout.Read(LastSegment(template));
        var (lastEntry, state) = (records[^2], records[^1]);
        Assert.Equal((WalRecordType.Entry, WalRecordType.State), (lastEntry.Type, state.Type));

        // A few cuts inside the entry (its torn tail is covered byte by byte without etcd), every one in the hard state.
        long[] insideEntry = [lastEntry.Start + 1, (lastEntry.Start + lastEntry.End) / 2, lastEntry.End - 1];
        foreach (long cut in insideEntry.Concat(Offsets(state.Start, state.End)))
        {
            await AssertRepairedAsEtcdRepairsAsync(tmp, template, cut);
        }
    }

    [Fact]
    public async Task A_new_segment_torn_in_its_opening_records_is_repaired_as_etcd_repairs_it()
    {
        using var tmp = new TempDirectory();
        string template = tmp.Combine("template");
        TornWalTemplates.WriteUntilFirstCut(template);
        var records = SegmentLayout.Read(LastSegment(template));
        Assert.Equal([WalRecordType.Crc, WalRecordType.Metadata, WalRecordType.State], records.Select(r => r.Type));

        foreach (long cut in Offsets(0, records[^1].End))
        {
            await AssertRepairedAsEtcdRepairsAsync(tmp, template, cut);
        }
    }

    private static IEnumerable<long> Offsets(long from, long toInclusive)
    {
        for (long offset = from; offset <= toInclusive; offset++)
        {
            yield return offset;
        }
    }

    private async Task AssertRepairedAsEtcdRepairsAsync(TempDirectory tmp, string template, long cut)
    {
        string etcdDir = tmp.Combine($"etcd-{cut}");
        string cairnDir = tmp.Combine($"cairn-{cut}");
        TornWalTemplates.CopyWithLastSegmentCut(template, etcdDir, cut);
        TornWalTemplates.CopyWithLastSegmentCut(template, cairnDir, cut);

        var etcd = await go.RunAsync("repair", etcdDir);
        bool cairn = WalRepair.Repair(cairnDir);
        Assert.Equal(["repair true"], etcd);
        Assert.True(cairn, $"cut at {cut}: cairn's repair failed where etcd's succeeded");
        AssertSameFiles(etcdDir, cairnDir, $"cut at {cut}, repaired by etcd against by cairn");
        Directory.Delete(etcdDir, recursive: true);
        Directory.Delete(cairnDir, recursive: true);
    }
}
