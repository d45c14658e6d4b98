using System.Diagnostics;
using Cairn.Protocol.Etcdserverpb;
using Cairn.Server.Grpc.Client;
using Cairn.Tests.Processes;
using Google.Protobuf;
using Xunit.Abstractions;

namespace Cairn.Tests.Crash;

/// <summary>
/// A write that fails on disk (issue 4: "Disk full or I/O error on write: the request fails with an error; nothing
/// acknowledged is lost; the data dir is not corrupted"). Without root there is no small filesystem to fill, so cairn
/// runs under <c>ulimit -f</c> with SIGXFSZ ignored: a write past the limit fails with EFBIG, as on a full disk. The
/// WAL preallocates 64 MB segments, so the limit sits a little above that and the backend file is what meets it.
/// Afterwards cairn, without the limit, and then etcd on the same data dir serve every acknowledged put.
/// </summary>
public sealed class DiskFullTests(ITestOutputHelper output)
{
    /// <summary>Above a 64 MB WAL segment (and its last record), below a few hundred 80 KB puts' worth of backend.</summary>
    private const long FileSizeLimitKiB = 69_000;

    private const int Clients = 4;
    private const int ValueBytes = 80_000;

    /// <summary>The log lines of a server that stopped because its backend commit or its WAL append failed.</summary>
    private static readonly string[] FailureLines = ["failed to commit the backend", "raft loop stopped"];

    [Fact]
    public async Task A_failed_disk_write_stops_cairn_without_losing_an_acknowledged_write()
    {
        var elapsed = Stopwatch.StartNew();
        using var member = TestMember.Create();
        var writer = new CrashWriter();
        int status;
        await using (var limited = await ServerProcess.StartAsync(ServerKind.Cairn, member, output, fileSizeLimitKiB: FileSizeLimitKiB))
        {
            using var stop = new CancellationTokenSource();
            using var channel = new GrpcChannel(member.ClientUrl);
            var writing = writer.RunAsync(channel, round: 0, Clients, ValueBytes, stop.Token);
            status = await limited.WaitForExitAsync(TimeSpan.FromSeconds(120));
            stop.Cancel();
            await writing;
            var failures = limited.Log.Lines.Where(l => FailureLines.Any(f => l.Contains(f, StringComparison.Ordinal))).ToList();
            output.WriteLine($"under ulimit -f {FileSizeLimitKiB}: {writer.Acknowledged.Count} of {writer.Attempts} puts of {ValueBytes} bytes acknowledged, " +
                             $"then exit {status} after {elapsed.Elapsed.TotalSeconds:F1} s; files: {DataFiles(member)}\n{string.Join('\n', failures)}");
            Assert.NotEqual(0, status);
            Assert.True(failures.Count > 0, $"cairn exited with status {status} without logging why (expected one of: {string.Join(", ", FailureLines)})\n{limited.Log}");
            Assert.True(writer.Acknowledged.Count > 0, "no put was acknowledged before the disk write failed");
        }

        var seen = new Dictionary<string, long>(StringComparer.Ordinal);
        await using var server = await ServerProcess.StartAsync(ServerKind.Cairn, member, output);
        var (problems, stored) = await AcknowledgedWrites.CheckAsync(member, writer.Acknowledged, seen);
        Assert.True(problems.Count == 0, $"after the restart without the limit, {problems.Count} problems (first 20):\n{string.Join('\n', problems.Take(20))}");
        output.WriteLine($"restarted: {stored.Count} keys stored ({stored.Count - writer.Acknowledged.Count} of them unacknowledged puts that got through)");

        var maxAcknowledged = writer.Acknowledged.Max(w => w.Revision);
        using (var channel = new GrpcChannel(member.ClientUrl))
        {
            var key = ByteString.CopyFromUtf8(CrashWriter.Prefix + "after");
            var put = await channel.UnaryAsync(KvCalls.Put, new PutRequest { Key = key, Value = ByteString.CopyFromUtf8(new string('n', ValueBytes)) });
            Assert.True(put.Header.Revision > maxAcknowledged, $"a new put got revision {put.Header.Revision}, not above the acknowledged {maxAcknowledged}");
            var read = await channel.UnaryAsync(KvCalls.Range, new RangeRequest { Key = key });
            Assert.Equal(put.Header.Revision, Assert.Single(read.Kvs).ModRevision);
        }

        await server.StopCleanlyAsync();

        // The data dir is sound for etcd too: it opens it and serves every key cairn served, at the same revision.
        await using (var etcd = await ServerProcess.StartAsync(ServerKind.Etcd, member, output))
        {
            (problems, _) = await AcknowledgedWrites.CheckAsync(member, writer.Acknowledged, seen);
            Assert.True(problems.Count == 0, $"etcd on the data dir: {problems.Count} problems (first 20):\n{string.Join('\n', problems.Take(20))}");
            await etcd.StopCleanlyAsync();
        }

        output.WriteLine($"done in {elapsed.Elapsed.TotalSeconds:F1} s");
    }

    private static string DataFiles(TestMember member) =>
        string.Join(", ", new DirectoryInfo(member.DataDir).EnumerateFiles("*", SearchOption.AllDirectories).Select(f => $"{Path.GetRelativePath(member.DataDir, f.FullName)} {f.Length}"));
}
