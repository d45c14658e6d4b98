using System.Text.Json;
using Xunit.Abstractions;

namespace Cairn.Tests.Lease;

/// <summary>
/// Lease expiry across restarts of the member process, on etcd 3.4.23 and on cairn alike: a
/// lease outlives a crash (its TTL counts again from the restart), expires afterwards, and its
/// keys are deleted exactly once, in one revision, also when the member is killed right after
/// the revoke and replays it from the WAL.
/// </summary>
public sealed class LeaseRestartTests(ITestOutputHelper output)
{
    private static readonly string[] FastElection = ["--heartbeat-interval", "10", "--election-timeout", "100"];

    [Theory]
    [InlineData("etcd")]
    [InlineData("cairn")]
    public async Task A_lease_expires_after_a_crash_and_its_keys_are_deleted_once_in_one_revision(string server)
    {
        await using var member = await MemberProcess.StartAsync(server, FastElection);
        var grant = await Json(member, "lease", "grant", "10", "-w", "json");
        string lease = grant.GetProperty("ID").GetInt64().ToString("x", System.Globalization.CultureInfo.InvariantCulture);
        foreach (var key in new[] { "k2", "k1", "k3" })
        {
            await Ok(member, "put", $"--lease={lease}", key, "v");
        }
        long before = (await Revision(member));

        await member.KillAsync();
        await member.StartAgainAsync();
        var ttl = await Json(member, "lease", "timetolive", "--keys", lease, "-w", "json");
        output.WriteLine($"{server} after the crash: {ttl}");
        Assert.Equal(3, ttl.GetProperty("keys").GetArrayLength());
        // Its full TTL counts again from the restart: nothing of the time before the crash is lost.
        Assert.InRange(ttl.GetProperty("ttl").GetInt64(), 5, 10);

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while ((await Json(member, "get", "k", "--prefix", "--keys-only", "-w", "json")).TryGetProperty("count", out _))
        {
            Assert.True(DateTime.UtcNow < deadline, $"{server} never revoked the lease\n{member.Log}");
            await Task.Delay(20);
        }
        // Killed as soon as the keys are gone: the backend may not hold the revoke yet; the WAL does.
        await member.KillAsync();
        await member.StartAgainAsync();
        await AssertRevokedOnceAsync(member, lease, before);

        await member.StopAsync();
        await member.StartAgainAsync();
        await AssertRevokedOnceAsync(member, lease, before);
    }

    private static async Task AssertRevokedOnceAsync(MemberProcess member, string lease, long before)
    {
        Assert.Equal(before + 1, await Revision(member));
        // Just before the revoke all three keys were there; at the revoke none is.
        Assert.Equal(3, (await Json(member, "get", "k", "--prefix", "--keys-only", $"--rev={before}", "-w", "json")).GetProperty("count").GetInt64());
        Assert.False((await Json(member, "get", "k", "--prefix", "--keys-only", $"--rev={before + 1}", "-w", "json")).TryGetProperty("count", out _));
        var ttl = await Json(member, "lease", "timetolive", lease, "-w", "json");
        Assert.Equal(-1, ttl.GetProperty("ttl").GetInt64());
    }

    private static async Task<long> Revision(MemberProcess member) =>
        (await Json(member, "get", "nothing", "-w", "json")).GetProperty("header").GetProperty("revision").GetInt64();

    private static async Task Ok(MemberProcess member, params string[] args)
    {
        var outcome = await member.EtcdctlAsync(args);
        Assert.True(outcome.ExitCode == 0, $"etcdctl {string.Join(' ', args)} against {member.Name}: {outcome}");
    }

    private static async Task<JsonElement> Json(MemberProcess member, params string[] args)
    {
        var outcome = await member.EtcdctlAsync(args);
        Assert.True(outcome.ExitCode == 0, $"etcdctl {string.Join(' ', args)} against {member.Name}: {outcome}");
        return JsonDocument.Parse(outcome.Stdout).RootElement.Clone();
    }
}
