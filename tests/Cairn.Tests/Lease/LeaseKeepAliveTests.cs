using System.Text.Json;

namespace Cairn.Tests.Lease;

/// <summary>
/// etcdctl's long-running keep-alive (clientv3's keep-alive loop: one stream, a renewal every
/// third of the TTL) against etcd 3.4.23 and cairn: the lease outlives its TTL while the loop
/// runs, and expires, its key deleted, once the loop is gone.
/// </summary>
public sealed class LeaseKeepAliveTests
{
    [Theory]
    [InlineData("etcd")]
    [InlineData("cairn")]
    public async Task A_kept_alive_lease_outlives_its_ttl_and_expires_once_the_keep_alive_stops(string server)
    {
        await using var member = await MemberProcess.StartAsync(server);
        var grant = await member.EtcdctlAsync("lease", "grant", "2", "-w", "json");
        long id = JsonDocument.Parse(grant.Stdout).RootElement.GetProperty("ID").GetInt64();
        string lease = id.ToString("x", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(0, (await member.EtcdctlAsync("put", $"--lease={lease}", "kept", "v")).ExitCode);

        using var keepAlive = member.StartEtcdctl("lease", "keep-alive", lease);
        var printed = new List<string>();
        var lines = Task.Run(async () =>
        {
            while (await keepAlive.StandardOutput.ReadLineAsync() is { } line)
            {
                lock (printed)
                {
                    printed.Add(line);
                }
            }
        });
        // Three TTLs: without the keep-alive the lease would be gone.
        await Task.Delay(TimeSpan.FromSeconds(6));
        var ttl = JsonDocument.Parse((await member.EtcdctlAsync("lease", "timetolive", lease, "-w", "json")).Stdout).RootElement;
        Assert.InRange(ttl.GetProperty("ttl").GetInt64(), 0, 2);
        Assert.Contains("\"count\":1", (await member.EtcdctlAsync("get", "kept", "-w", "json")).Stdout);

        keepAlive.Kill();
        await keepAlive.WaitForExitAsync();
        await lines;
        lock (printed)
        {
            Assert.True(printed.Count >= 3, $"{server}: keep-alive printed only {string.Join(" / ", printed)}");
            Assert.All(printed, line => Assert.Equal($"lease {id:x16} keepalived with TTL(2)", line));
        }

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while ((await member.EtcdctlAsync("get", "kept", "-w", "json")).Stdout.Contains("\"count\":", StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, $"{server} never revoked the lease after its keep-alive stopped\n{member.Log}");
            await Task.Delay(100);
        }
        Assert.Equal(-1, JsonDocument.Parse((await member.EtcdctlAsync("lease", "timetolive", lease, "-w", "json")).Stdout).RootElement.GetProperty("ttl").GetInt64());
    }
}
