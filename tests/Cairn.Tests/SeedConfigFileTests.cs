using System.Text.Json;
using Cairn.Tests.Processes;
using Xunit.Abstractions;

namespace Cairn.Tests;

/// <summary>
/// Issue 4's seed configuration file, given as the only argument, starts a member that serves clients. The file is the
/// issue's own (the parse test reads it too) with the data dir and ports moved somewhere free; etcd on the same file
/// checks the harness.
/// </summary>
public sealed class SeedConfigFileTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(ServerKind.Etcd)]
    [InlineData(ServerKind.Cairn)]
    public async Task The_seed_config_file_alone_starts_a_member_that_serves_put_and_get(ServerKind kind)
    {
        using var member = TestMember.Create("etcd1");
        await using var server = await ServerProcess.StartWithConfigFileAsync(kind, member, WriteSeedConfig, output);

        // Every line is zap's JSON at info or above, and the start line shows the file's settings were the ones used.
        var lines = server.Log.Lines.Where(l => !l.StartsWith("[WARNING]", StringComparison.Ordinal)).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.All(lines, l => Assert.NotEqual("debug", l.GetProperty("level").GetString()));
        var start = lines.Single(l => l.GetProperty("msg").GetString() == "starting an etcd server");
        Assert.Equal("etcd1", start.GetProperty("name").GetString());
        Assert.Equal(member.DataDir, start.GetProperty("data-dir").GetString());
        Assert.Equal([$"http://0.0.0.0:{member.ClientPort}"], start.GetProperty("listen-client-urls").EnumerateArray().Select(u => u.GetString()));
        Assert.Equal([member.ClientUrl], start.GetProperty("advertise-client-urls").EnumerateArray().Select(u => u.GetString()));
        Assert.Equal(member.InitialCluster, start.GetProperty("initial-cluster").GetString());
        Assert.Equal("new", start.GetProperty("initial-cluster-state").GetString());
        Assert.Equal("etcd-cluster-0", start.GetProperty("initial-cluster-token").GetString());

        Assert.Equal("OK\n", await server.Etcdctl.OutputAsync("put", "seed", "grown"));
        Assert.Equal("seed\ngrown\n", await server.Etcdctl.OutputAsync("get", "seed"));
        Assert.Contains($"etcd1, {member.PeerUrl}, {member.ClientUrl}", await server.Etcdctl.OutputAsync("member", "list"));
        await server.StopCleanlyAsync();
    }

    /// <summary>The seed file with its data dir and ports replaced by the member's (the file names etcd's defaults).</summary>
    private static string WriteSeedConfig(TestMember member)
    {
        var seed = File.ReadAllText(Path.Combine(ExecutableTests.RepositoryRoot(), "tests", "Cairn.Server.Tests", "Configuration", "TestData", "issue-4-seed.conf.yml"));
        var path = Path.Combine(member.Directory, "etcd.conf.yml");
        File.WriteAllText(path, seed
            .Replace("/var/lib/etcd", member.DataDir, StringComparison.Ordinal)
            .Replace(":2379", $":{member.ClientPort}", StringComparison.Ordinal)
            .Replace(":2380", $":{member.PeerPort}", StringComparison.Ordinal));
        return path;
    }
}
