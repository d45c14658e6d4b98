using System.Diagnostics;
using Cairn.Protocol.Etcdserverpb;
using Cairn.Server.Grpc;
using Cairn.Server.Grpc.Client;
using Cairn.Tests.Processes;
using Google.Protobuf;
using Xunit.Abstractions;

namespace Cairn.Tests.Crash;

/// <summary>
/// A write that fails on disk (issue 4: "Disk full or I/O error on write: the request fails with an error; nothing
/// acknowledged is lost; the data dir is not corrupted"). Without root there is no small filesystem to fill, so the
/// server runs under <c>ulimit -f</c> with SIGXFSZ ignored: a write past the limit fails with EFBIG, as on a full
/// disk. Concurrent clients keep putting while it happens; every put the server answered OK must be served, at its
/// revision, once the server restarts without the limit, and the other server must serve it too on the same data
/// dir. A put in flight when the write failed gets an error or a dropped connection: were it answered OK without
/// being durable, the restart would miss it.
/// </summary>
public sealed class DiskFullTests(ITestOutputHelper output)
{
    /// <summary>
    /// Backend case: above a 64 MB WAL segment (and its last record), below a few hundred 80 KB puts' worth of
    /// backend, so the backend file is what meets the limit.
    /// </summary>
    private const long BackendFileSizeLimitKiB = 69_000;

    /// <summary>
    /// WAL case: exactly a WAL segment (64,000,000 bytes, etcd's SegmentSizeBytes). Preallocating it just fits; the
    /// first record to run past its end fails before the segment can be cut. <see cref="WalFiller"/> grows the WAL
    /// and not the backend, so the WAL is what meets the limit.
    /// </summary>
    private const long WalFileSizeLimitKiB = WalFiller.SegmentBytes / 1024;

    private const int Clients = 4;
    private const int BackendValueBytes = 80_000;
    private const int WalValueBytes = 1_000;

    /// <summary>The log line of a cairn that stopped because its backend commit failed.</summary>
    private const string BackendFailureLine = "failed to commit the backend";

    [Fact]
    public async Task A_failed_backend_write_stops_cairn_without_losing_an_acknowledged_write()
    {
        var elapsed = Stopwatch.StartNew();
        using var member = TestMember.Create();
        var writer = new CrashWriter();
        var (status, log) = await WriteUntilTheServerStopsAsync(ServerKind.Cairn, member, BackendFileSizeLimitKiB, writer, BackendValueBytes, (_, _) => Task.CompletedTask);
        var failures = log.Lines.Where(l => l.Contains(BackendFailureLine, StringComparison.Ordinal)).ToList();
        output.WriteLine($"exit {status} after {elapsed.Elapsed.TotalSeconds:F1} s\n{string.Join('\n', failures)}");
        Assert.True(failures.Count > 0, $"cairn exited with status {status} without logging why (expected '{BackendFailureLine}')\n{log}");
        Assert.True(failures.Any(l => l.Contains("file too large", StringComparison.OrdinalIgnoreCase) && l.Contains("member/snap/db", StringComparison.Ordinal)),
            $"the failure does not name the problem (the backend file, too large):\n{string.Join('\n', failures)}");

        await AssertEveryAcknowledgedWriteServedAsync(member, writer, ServerKind.Cairn, ServerKind.Etcd, BackendValueBytes);
        output.WriteLine($"done in {elapsed.Elapsed.TotalSeconds:F1} s");
    }

    [Theory]
    [InlineData(ServerKind.Etcd, ServerKind.Cairn)]
    [InlineData(ServerKind.Cairn, ServerKind.Etcd)]
    public async Task A_failed_wal_write_stops_the_server_which_restarts_with_every_acknowledged_write(ServerKind kind, ServerKind other)
    {
        var elapsed = Stopwatch.StartNew();
        using var member = TestMember.Create();
        var writer = new CrashWriter();
        var (status, log) = await WriteUntilTheServerStopsAsync(kind, member, WalFileSizeLimitKiB, writer, WalValueBytes, WalFiller.RunAsync);

        // etcd's fatal line, which cairn prints too: "failed to save state and entries error: write <segment>: file too large".
        var failure = log.Lines.FirstOrDefault(l => l.Contains("failed to save state and entries error: write ", StringComparison.Ordinal) &&
                                                    l.Contains("member/wal", StringComparison.Ordinal) && l.Contains("file too large", StringComparison.Ordinal));
        output.WriteLine($"{kind.DisplayName()} exit {status} after {elapsed.Elapsed.TotalSeconds:F1} s: {failure}");
        Assert.True(failure is not null, $"{kind.DisplayName()} stopped (status {status}) without a line naming the WAL file and the problem\n{log}");

        await AssertEveryAcknowledgedWriteServedAsync(member, writer, kind, other, WalValueBytes);
        output.WriteLine($"done in {elapsed.Elapsed.TotalSeconds:F1} s");
    }

    /// <summary>
    /// Starts the server under the file size limit and puts until it stops by itself (it must: a write failed),
    /// while <paramref name="extraLoad"/> runs beside the writer. Returns its exit status (never 0) and its log.
    /// </summary>
    private async Task<(int Status, ProcessLog Log)> WriteUntilTheServerStopsAsync(
        ServerKind kind, TestMember member, long limitKiB, CrashWriter writer, int valueBytes, Func<GrpcChannel, CancellationToken, Task> extraLoad)
    {
        await using var limited = await ServerProcess.StartAsync(kind, member, output, fileSizeLimitKiB: limitKiB);
        using var stop = new CancellationTokenSource();
        using var channel = new GrpcChannel(member.ClientUrl);
        var writing = writer.RunAsync(channel, round: 0, Clients, valueBytes, stop.Token);
        var loading = extraLoad(channel, stop.Token);
        var status = await limited.WaitForExitAsync(TimeSpan.FromSeconds(180));
        stop.Cancel();
        await writing;
        await loading;
        output.WriteLine($"under ulimit -f {limitKiB}: {writer.Acknowledged.Count} of {writer.Attempts} puts of {valueBytes} bytes acknowledged, " +
                         $"then exit {status}; files: {DataFiles(member)}");
        Assert.NotEqual(0, status);
        Assert.True(writer.Acknowledged.Count > 0, "no put was acknowledged before the disk write failed");
        return (status, limited.Log);
    }

    /// <summary>
    /// Restarts <paramref name="kind"/> without the limit: every acknowledged put is there, and the member takes new
    /// writes above them; then <paramref name="other"/> on the same data dir serves the same.
    /// </summary>
    private async Task AssertEveryAcknowledgedWriteServedAsync(TestMember member, CrashWriter writer, ServerKind kind, ServerKind other, int valueBytes)
    {
        var seen = new Dictionary<string, long>(StringComparer.Ordinal);
        await using (var server = await ServerProcess.StartAsync(kind, member, output))
        {
            var (problems, stored) = await AcknowledgedWrites.CheckAsync(member, writer.Acknowledged, seen);
            Assert.True(problems.Count == 0, $"{kind.DisplayName()} restarted without the limit: {problems.Count} problems (first 20):\n{string.Join('\n', problems.Take(20))}");
            output.WriteLine($"restarted: {stored.Count} keys stored ({stored.Count - writer.Acknowledged.Count} of them unacknowledged puts that got through)");

            var maxAcknowledged = writer.Acknowledged.Max(w => w.Revision);
            using (var channel = new GrpcChannel(member.ClientUrl))
            {
                var key = ByteString.CopyFromUtf8(CrashWriter.Prefix + "after");
                var put = await channel.UnaryAsync(KvCalls.Put, new PutRequest { Key = key, Value = ByteString.CopyFromUtf8(new string('n', valueBytes)) });
                Assert.True(put.Header.Revision > maxAcknowledged, $"a new put got revision {put.Header.Revision}, not above the acknowledged {maxAcknowledged}");
                var read = await channel.UnaryAsync(KvCalls.Range, new RangeRequest { Key = key });
                Assert.Equal(put.Header.Revision, Assert.Single(read.Kvs).ModRevision);
            }

            await server.StopCleanlyAsync();
        }

        // The data dir is sound for the other server too: it opens it and serves every key, at the same revision.
        await using (var server = await ServerProcess.StartAsync(other, member, output))
        {
            var (problems, _) = await AcknowledgedWrites.CheckAsync(member, writer.Acknowledged, seen);
            Assert.True(problems.Count == 0, $"{other.DisplayName()} on the data dir: {problems.Count} problems (first 20):\n{string.Join('\n', problems.Take(20))}");
            await server.StopCleanlyAsync();
        }
    }

    private static string DataFiles(TestMember member) =>
        string.Join(", ", new DirectoryInfo(member.DataDir).EnumerateFiles("*", SearchOption.AllDirectories).Select(f => $"{Path.GetRelativePath(member.DataDir, f.FullName)} {f.Length}"));
}
