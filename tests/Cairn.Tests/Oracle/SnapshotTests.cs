using System.Text.RegularExpressions;
using Cairn.Tests.Processes;
using Xunit.Abstractions;

namespace Cairn.Tests.Oracle;

/// <summary>
/// etcdctl snapshot save / status / restore across servers: a snapshot streamed by either server reads with
/// `snapshot status` as etcd's does, and a data dir restored from it starts etcd and cairn alike with the same data.
/// </summary>
public sealed partial class SnapshotTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Snapshot_status_of_a_cairn_snapshot_reads_as_of_an_etcd_snapshot_of_the_same_history()
    {
        using var etcdMember = TestMember.Create();
        using var cairnMember = TestMember.Create();
        var etcdStatus = await StatusAsync(await SaveAsync(ServerKind.Etcd, etcdMember));
        var cairnStatus = await StatusAsync(await SaveAsync(ServerKind.Cairn, cairnMember));
        DumpAssert.Same(etcdStatus, cairnStatus, "etcd's snapshot status", "cairn's snapshot status");
    }

    [Theory]
    [InlineData(ServerKind.Etcd)]
    [InlineData(ServerKind.Cairn)]
    public async Task A_restored_snapshot_starts_etcd_and_cairn_with_the_same_data(ServerKind source)
    {
        using var member = TestMember.Create();
        var (file, written) = await SaveAsync(source, member);
        foreach (var target in new[] { ServerKind.Etcd, ServerKind.Cairn })
        {
            using var restored = TestMember.Create("restored");
            var restore = await restored.Etcdctl.RunAsync(
                "snapshot", "restore", file, "--data-dir", restored.DataDir, "--name", restored.Name,
                "--initial-cluster", restored.InitialCluster, "--initial-advertise-peer-urls", restored.PeerUrl);
            Assert.True(restore.Succeeded, $"restore of {source.DisplayName()}'s snapshot: {restore}");
            await using var server = await ServerProcess.StartAsync(target, restored, output);
            DumpAssert.Same(written, await StoreDump.TakeAsync(restored, StoreWorkload.FirstCompaction),
                $"{source.DisplayName()} (snapshot source)", $"{target.DisplayName()} (restored)");

            var put = await restored.Etcdctl.OutputAsync("put", "after-restore", "x", "-w", "json");
            Assert.Contains("\"revision\":10,", put, StringComparison.Ordinal);
            Assert.Equal("after-restore\nx\n", await restored.Etcdctl.OutputAsync("get", "after-restore"));
        }
    }

    /// <summary>Writes part one of the workload on a fresh server, saves a snapshot and returns it with the dump.</summary>
    private async Task<(string File, IReadOnlyList<string> Written)> SaveAsync(ServerKind kind, TestMember member)
    {
        var file = Path.Combine(member.Directory, "snapshot.db");
        await using var server = await ServerProcess.StartAsync(kind, member, output);
        await StoreWorkload.WriteFirstPartAsync(member.Etcdctl);
        var written = await StoreDump.TakeAsync(member, StoreWorkload.FirstCompaction);
        var save = await member.Etcdctl.RunAsync("snapshot", "save", file);
        Assert.True(save.Succeeded, $"{kind.DisplayName()}: {save}");
        Assert.Equal($"Snapshot saved at {file}\n", save.Stdout);
        await server.StopCleanlyAsync();
        return (file, written);
    }

    /// <summary>
    /// snapshot status in three formats, the hash and size set aside (they depend on the page layout); revision and
    /// total keys (every key of every bucket) remain.
    /// </summary>
    private static async Task<IReadOnlyList<string>> StatusAsync((string File, IReadOnlyList<string> Written) snapshot)
    {
        var etcdctl = new Etcdctl("127.0.0.1:1");
        var lines = new List<string>();
        foreach (var format in new[] { "simple", "json", "table" })
        {
            var status = await etcdctl.RunAsync("snapshot", "status", snapshot.File, "-w", format);
            lines.AddRange(Transcript.Of(status).Select(l => format == "simple" ? SimpleStatus().Replace(l, "<hash>, $1, $2, <db-size>") : l));
        }

        return TranscriptNormalizer.Normalize(lines, ServerIdentity.None);
    }

    [GeneratedRegex("^[0-9a-f]+, (\\d+), (\\d+), .*$")]
    private static partial Regex SimpleStatus();
}
