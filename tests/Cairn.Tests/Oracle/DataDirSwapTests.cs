using System.Globalization;
using Cairn.Tests.Processes;
using Xunit.Abstractions;

namespace Cairn.Tests.Oracle;

/// <summary>
/// The issue's proof of compatibility: a data dir written by one server is served by the other with the same keys,
/// values and revisions (history and compaction included), takes new writes there, and goes back to the first.
/// etcd with itself checks the harness.
/// </summary>
public sealed class DataDirSwapTests(ITestOutputHelper output)
{
    public static TheoryData<ServerKind, ServerKind> Handovers() => new()
    {
        { ServerKind.Etcd, ServerKind.Cairn },
        { ServerKind.Cairn, ServerKind.Etcd },
        { ServerKind.Etcd, ServerKind.Etcd },
    };

    [Theory]
    [MemberData(nameof(Handovers))]
    public async Task A_data_dir_changes_hands_keeping_every_key_value_and_revision(ServerKind first, ServerKind second)
    {
        using var member = TestMember.Create();
        IReadOnlyList<string> written;
        ServerIdentity identity;
        await using (var server = await ServerProcess.StartAsync(first, member, output))
        {
            identity = await ServerIdentity.OfAsync(member);
            await StoreWorkload.WriteFirstPartAsync(member.Etcdctl);
            written = await StoreDump.TakeAsync(member, StoreWorkload.FirstCompaction);
            await server.StopCleanlyAsync();
        }

        await using (var server = await ServerProcess.StartAsync(second, member, output))
        {
            // The dumps name IDs by placeholder; the member and cluster must stay the ones the data dir holds.
            Assert.Equal(identity, await ServerIdentity.OfAsync(member));
            DumpAssert.Same(written, await StoreDump.TakeAsync(member, StoreWorkload.FirstCompaction),
                $"{first.DisplayName()} (writer)", $"{second.DisplayName()} (on {first.DisplayName()}'s data dir)");
            await StoreWorkload.WriteSecondPartAsync(member.Etcdctl);
            written = await StoreDump.TakeAsync(member, StoreWorkload.SecondCompaction);
            await server.StopCleanlyAsync();
        }

        await using (var server = await ServerProcess.StartAsync(first, member, output))
        {
            Assert.Equal(identity, await ServerIdentity.OfAsync(member));
            DumpAssert.Same(written, await StoreDump.TakeAsync(member, StoreWorkload.SecondCompaction),
                $"{second.DisplayName()} (writer)", $"{first.DisplayName()} (back on the data dir)");
        }
    }

    /// <summary>
    /// The same hand-over with what a long-running member's data dir holds: raft snapshots (.snap) every 20 entries,
    /// a WAL opened from the newest of them, more than one WAL segment, and segments released after a snapshot and
    /// purged (--max-wals 1). etcd writes them, cairn takes over (opening the WAL where etcd's snapshot says, purging
    /// the segment etcd released), writes, snapshots and restarts on its own files, and etcd takes them back.
    /// </summary>
    [Fact]
    public async Task A_data_dir_with_raft_snapshots_and_released_wal_segments_goes_from_etcd_to_cairn_and_back()
    {
        string[] flags = ["--snapshot-count", "20", "--max-wals", "1"];
        using var member = TestMember.Create();
        IReadOnlyList<string> written;
        ServerIdentity identity;
        await using (var etcd = await ServerProcess.StartAsync(ServerKind.Etcd, member, output, flags))
        {
            identity = await ServerIdentity.OfAsync(member);
            await StoreWorkload.WriteFirstPartAsync(member.Etcdctl);
            // Past one WAL segment, then enough entries for a snapshot beyond the cut, so the first segment is released.
            await WalFiller.FillAsync(member.ClientUrl, WalFiller.SegmentBytes + WalFiller.BytesPerRequest);
            await PutTailAsync(member, "etcd", 25);
            written = await StoreDump.TakeAsync(member, StoreWorkload.FirstCompaction);
            await etcd.StopCleanlyAsync();
        }

        var etcdFiles = RaftFiles.Of(member);
        output.WriteLine($"etcd left: {etcdFiles}");
        Assert.True(etcdFiles.Snapshots.Count > 0 && etcdFiles.WalSegments.Count > 1, $"etcd did not leave snapshots and several WAL segments: {etcdFiles}");

        await using (var cairn = await ServerProcess.StartAsync(ServerKind.Cairn, member, output, flags))
        {
            Assert.Equal(identity, await ServerIdentity.OfAsync(member));
            DumpAssert.Same(written, await StoreDump.TakeAsync(member, StoreWorkload.FirstCompaction), "etcd (writer, snapshots)", "cairn (on etcd's data dir)");
            await StoreWorkload.WriteSecondPartAsync(member.Etcdctl);
            await PutTailAsync(member, "cairn", 45);
            written = await StoreDump.TakeAsync(member, StoreWorkload.SecondCompaction);
            await cairn.StopCleanlyAsync();
        }

        var cairnFiles = RaftFiles.Of(member);
        output.WriteLine($"cairn left: {cairnFiles}");
        Assert.True(cairnFiles.Snapshots.Max() > etcdFiles.Snapshots.Max(), $"cairn took no snapshot of its own: {cairnFiles}");
        Assert.True(cairnFiles.WalSegments.Min() > etcdFiles.WalSegments.Min(), $"the WAL segment etcd released was not purged: {cairnFiles}");

        // cairn on its own files: a snapshot of its own to start from, the WAL it released and purged.
        await using (var cairn = await ServerProcess.StartAsync(ServerKind.Cairn, member, output, flags))
        {
            Assert.Equal(identity, await ServerIdentity.OfAsync(member));
            DumpAssert.Same(written, await StoreDump.TakeAsync(member, StoreWorkload.SecondCompaction), "cairn (writer, snapshots)", "cairn (restarted)");
            await cairn.StopCleanlyAsync();
        }

        await using (var etcd = await ServerProcess.StartAsync(ServerKind.Etcd, member, output, flags))
        {
            Assert.Equal(identity, await ServerIdentity.OfAsync(member));
            DumpAssert.Same(written, await StoreDump.TakeAsync(member, StoreWorkload.SecondCompaction), "cairn (writer, snapshots)", "etcd (back on the data dir)");
            await PutTailAsync(member, "etcd-again", 1);
            await etcd.StopCleanlyAsync();
        }
    }

    /// <summary>Single puts, one raft entry each: enough of them pass --snapshot-count.</summary>
    private static async Task PutTailAsync(TestMember member, string writer, int count)
    {
        for (var i = 0; i < count; i++)
        {
            await member.Etcdctl.OutputAsync("put", $"tail/{writer}/{i:D2}", $"{writer}-{i}");
        }
    }

    /// <summary>The raft snapshots (by index) and WAL segments (by sequence) a data dir holds.</summary>
    private sealed record RaftFiles(IReadOnlyList<ulong> Snapshots, IReadOnlyList<ulong> WalSegments)
    {
        public static RaftFiles Of(TestMember member) => new(
            [.. Directory.EnumerateFiles(Path.Combine(member.DataDir, "member", "snap"), "*.snap").Select(f => HexField(f, 1)).Order()],
            [.. Directory.EnumerateFiles(Path.Combine(member.DataDir, "member", "wal"), "*.wal").Select(f => HexField(f, 0)).Order()]);

        public override string ToString() =>
            $"snapshots at {string.Join(", ", Snapshots.Select(i => i.ToString(CultureInfo.InvariantCulture)))}; WAL segments {string.Join(", ", WalSegments.Select(i => i.ToString(CultureInfo.InvariantCulture)))}";

        /// <summary>"{term}-{index}.snap" and "{sequence}-{index}.wal": 16 hex digits each.</summary>
        private static ulong HexField(string path, int field) =>
            ulong.Parse(Path.GetFileName(path).Split('-', '.')[field], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
    }
}
