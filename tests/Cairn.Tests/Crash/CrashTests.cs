using System.Diagnostics;
using System.Globalization;
using Cairn.Server.Grpc.Client;
using Cairn.Tests.Processes;
using Xunit.Abstractions;

namespace Cairn.Tests.Crash;

/// <summary>
/// kill -9, or SIGTERM (a graceful stop, as systemd's), at random moments under concurrent writes (32 clients over 4
/// HTTP/2 connections): after every restart each acknowledged put is there with its value and revision, and whatever
/// a restarted server showed stays. The schedule comes from a seed, printed and taken from CAIRN_CRASH_SEED when set.
/// etcd under the same test checks the harness.
/// </summary>
public sealed class CrashTests(ITestOutputHelper output)
{
    private const int Clients = 32;

    [Fact]
    public Task Cairn_keeps_every_acknowledged_write_through_repeated_kill_9() =>
        RunAsync(ServerKind.Cairn, TimeSpan.FromSeconds(75), maxRounds: 30, graceful: false);

    [Fact]
    public Task Etcd_keeps_every_acknowledged_write_through_repeated_kill_9() =>
        RunAsync(ServerKind.Etcd, TimeSpan.FromSeconds(10), maxRounds: 3, graceful: false);

    /// <summary>The stop waits for in-flight applies and syncs; it must end cleanly (status 143) however busy the server is.</summary>
    [Fact]
    public Task Cairn_keeps_every_acknowledged_write_through_repeated_sigterm_under_writes() =>
        RunAsync(ServerKind.Cairn, TimeSpan.FromSeconds(30), maxRounds: 10, graceful: true);

    [Fact]
    public Task Etcd_keeps_every_acknowledged_write_through_repeated_sigterm_under_writes() =>
        RunAsync(ServerKind.Etcd, TimeSpan.FromSeconds(10), maxRounds: 3, graceful: true);

    private async Task RunAsync(ServerKind kind, TimeSpan budget, int maxRounds, bool graceful)
    {
        var seed = Environment.GetEnvironmentVariable("CAIRN_CRASH_SEED") is { Length: > 0 } given
            ? int.Parse(given, CultureInfo.InvariantCulture)
            : Random.Shared.Next();
        output.WriteLine($"{(graceful ? "SIGTERM" : "kill -9")} test against {kind.DisplayName()}: seed {seed} (set CAIRN_CRASH_SEED={seed} to replay the schedule)");
        var random = new Random(seed);
        var writer = new CrashWriter();
        var seen = new Dictionary<string, long>(StringComparer.Ordinal);
        var elapsed = Stopwatch.StartNew();
        using var member = TestMember.Create();
        var server = await ServerProcess.StartAsync(kind, member, output);
        try
        {
            var round = 0;
            for (; round < maxRounds && (round == 0 || elapsed.Elapsed < budget); round++)
            {
                var killAfter = writer.Acknowledged.Count + random.Next(1, 2000);
                var extraDelay = TimeSpan.FromMilliseconds(random.Next(0, 200));
                var valueBytes = random.Next(8, 512);
                using var stop = new CancellationTokenSource();
                using var channel = new GrpcChannel(member.ClientUrl, new GrpcChannelOptions { Connections = 4 });
                var writing = writer.RunAsync(channel, round, Clients, valueBytes, stop.Token);

                await writer.WhenAcknowledged(killAfter).WaitAsync(TimeSpan.FromSeconds(120));
                await Task.Delay(extraDelay); // the random moment itself: part of the seeded schedule
                if (graceful)
                {
                    await server.StopCleanlyAsync();
                }
                else
                {
                    await server.KillAsync();
                }

                stop.Cancel();
                await writing;
                await server.DisposeAsync();
                server = await ServerProcess.StartAsync(kind, member, output);
                await VerifyAsync(member, writer, seen, seed, round, graceful ? "SIGTERM" : "kill -9");
            }

            output.WriteLine($"{round} rounds, {writer.Acknowledged.Count} acknowledged of {writer.Attempts} puts, {seen.Count} keys seen, {elapsed.Elapsed.TotalSeconds:F0} s");
            Assert.True(writer.Acknowledged.Count >= round, $"seed {seed}: only {writer.Acknowledged.Count} puts acknowledged in {round} rounds");
            await server.StopCleanlyAsync();
        }
        finally
        {
            await server.DisposeAsync();
        }
    }

    private static async Task VerifyAsync(TestMember member, CrashWriter writer, Dictionary<string, long> seen, int seed, int round, string stop)
    {
        var (problems, _) = await AcknowledgedWrites.CheckAsync(member, writer.Acknowledged, seen);
        if (problems.Count > 0)
        {
            Assert.Fail($"seed {seed}, after {stop} number {round + 1}: {problems.Count} problems (first 20):\n{string.Join('\n', problems.Take(20))}");
        }
    }
}
