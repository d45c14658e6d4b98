using Cairn.Storage.Wal;
using Xunit.Abstractions;
using WalSnapshot = Cairn.Protocol.Walpb.Snapshot;

namespace Cairn.Storage.Tests.Wal;

/// <summary>
/// Cross-checks with etcd's own Go WAL (Debian's sources, built by <see cref="GoWalCheck"/>): for
/// the same calls both write the same files byte for byte, and etcd reads back what Cairn wrote.
/// </summary>
[Collection(GoWalCheckCollection.Name)]
public sealed class WalMatchesEtcdGoWalTests(GoWalCheck go, ITestOutputHelper output)
{
    [Theory]
    [InlineData(1, 40, 64 * 1000 * 1000)]
    [InlineData(2, 300, 16 * 1024)]
    [InlineData(3, 200, 5000)]
    public async Task Same_calls_write_the_same_segment_files_as_etcd(int seed, int batches, long segmentBytes)
    {
        output.WriteLine($"seed {seed}, {batches} batches, segments of {segmentBytes} bytes");
        var script = WalScript.Random(seed, batches);
        using var dir = new TempDirectory();
        string specPath = dir.Combine("spec.json");
        await File.WriteAllTextAsync(specPath, script.ToJson());

        await go.RunAsync("write", dir.Combine("etcd"), segmentBytes.ToString(System.Globalization.CultureInfo.InvariantCulture), specPath);
        using (var wal = WriteAheadLog.Create(dir.Combine("cairn"), script.Metadata, new WalOptions { SegmentSizeBytes = segmentBytes }))
        {
            script.ApplyTo(wal);
        }

        var files = WalTestData.AssertSameFiles(dir.Combine("etcd"), dir.Combine("cairn"), "etcd's files against cairn's");
        if (segmentBytes < 1_000_000)
        {
            Assert.True(files.Count > 2, $"expected several segments, got {files.Count}");
        }
    }

    [Theory]
    [InlineData(11, 300, 8 * 1024)]
    [InlineData(12, 60, 64 * 1000 * 1000)]
    public async Task Etcd_reads_back_every_entry_and_the_hard_state_cairn_wrote(int seed, int batches, long segmentBytes)
    {
        output.WriteLine($"seed {seed}, {batches} batches, segments of {segmentBytes} bytes");
        var script = WalScript.Random(seed, batches);
        using var dir = new TempDirectory();
        string walDir = dir.Combine("wal");
        using (var wal = WriteAheadLog.Create(walDir, script.Metadata, new WalOptions { SegmentSizeBytes = segmentBytes }))
        {
            script.ApplyTo(wal);
        }

        var snapshots = script.Ops.OfType<WalScript.SnapshotOp>().ToList();
        var openAt = new List<(ulong Index, ulong Term)> { (0, 0) };
        if (snapshots.Count > 0)
        {
            openAt.Add((snapshots[^1].Index, snapshots[^1].Term));
        }
        foreach (var (index, term) in openAt)
        {
            var lines = await go.RunAsync("read", walDir, index.ToString(System.Globalization.CultureInfo.InvariantCulture),
                term.ToString(System.Globalization.CultureInfo.InvariantCulture));
            var expected = ExpectedReading(script, index).ToList();
            Assert.Equal(expected, lines.Take(expected.Count));
            Assert.Contains("verify ok", lines);

            using var reader = WriteAheadLog.OpenForRead(walDir, new WalSnapshot { Index = index, Term = term });
            var contents = reader.ReadAll();
            Assert.Equal(expected, Describe(contents));
        }
    }

    // What etcd's ReadAll prints for the script opened at a snapshot index, in walcheck's format.
    private static IEnumerable<string> ExpectedReading(WalScript script, ulong snapshotIndex)
    {
        var state = script.Ops.OfType<WalScript.SaveOp>().Select(s => s.State).Last(s => s.Term != 0 || s.Vote != 0 || s.Commit != 0);
        var entries = new List<Cairn.Protocol.Raftpb.Entry>();
        foreach (var e in script.SavedEntries.Where(e => e.Index > snapshotIndex))
        {
            int keep = (int)(e.Index - snapshotIndex - 1);
            entries.RemoveRange(keep, entries.Count - keep);
            entries.Add(e);
        }
        return Describe(new WalContents(script.Metadata, state, entries));
    }

    private static IEnumerable<string> Describe(WalContents contents)
    {
        yield return $"metadata {Hex(contents.Metadata)}";
        yield return $"state {contents.State.Term} {contents.State.Vote} {contents.State.Commit}";
        foreach (var e in contents.Entries)
        {
            yield return $"entry {e.Term} {e.Index} {(int)e.Type} {(e.HasData ? Hex(e.Data.ToByteArray()) : "-")}";
        }
    }

    private static string Hex(byte[]? bytes) => bytes is null ? "-" : "x" + Convert.ToHexString(bytes).ToLowerInvariant();
}
