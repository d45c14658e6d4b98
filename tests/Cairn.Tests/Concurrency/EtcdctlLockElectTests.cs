using System.Text.Json;
using System.Text.RegularExpressions;
using Cairn.Tests.Processes;
using Xunit.Abstractions;

namespace Cairn.Tests.Concurrency;

/// <summary>
/// etcdctl's lock and elect commands (clientv3's recipes run by the client over KV, Watch and
/// Lease) against etcd 3.4.23 and cairn, which must behave alike: a second locker or campaigner
/// waits behind the holder, takes over when the holder unlocks, resigns, or its lease goes, and
/// an observer sees each leader in turn.
/// </summary>
public sealed class EtcdctlLockElectTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(ServerKind.Etcd)]
    [InlineData(ServerKind.Cairn)]
    public async Task A_waiting_locker_takes_over_when_the_killed_holders_lease_expires(ServerKind kind)
    {
        using var member = Processes.TestMember.Create();
        await using var server = await ServerProcess.StartAsync(kind, member, output);
        // --ttl 2: the holder's session lease expires two seconds after its keep-alives stop.
        await using var holder = RunningEtcdctl.Start(member.Endpoint, "lock", "--ttl", "2", "job");
        var holderKey = await HeldKeyAsync(holder);
        Assert.Matches(LockKey("job"), holderKey);
        await using var waiter = RunningEtcdctl.Start(member.Endpoint, "lock", "--ttl", "2", "job");
        var queue = await WaitForKeysAsync(member, "job/", 2);
        Assert.Equal(holderKey, queue[0]);
        Assert.Empty(waiter.Lines);

        await holder.KillAsync();

        var waiterKey = await HeldKeyAsync(waiter);
        Assert.Equal(queue[1], waiterKey);
        Assert.Equal([waiterKey], await KeysAsync(member, "job/"));
        var expired = await member.Etcdctl.OutputAsync("lease", "timetolive", LeaseOf(holderKey));
        Assert.Contains("already expired", expired);

        Assert.Equal(0, await waiter.TerminateAsync());
        Assert.Empty(await KeysAsync(member, "job/"));
    }

    [Theory]
    [InlineData(ServerKind.Etcd)]
    [InlineData(ServerKind.Cairn)]
    public async Task A_waiting_locker_runs_its_command_once_the_holder_unlocks(ServerKind kind)
    {
        using var member = Processes.TestMember.Create();
        await using var server = await ServerProcess.StartAsync(kind, member, output);
        await using var holder = RunningEtcdctl.Start(member.Endpoint, "lock", "job");
        var holderKey = await HeldKeyAsync(holder);
        await using var waiter = RunningEtcdctl.Start(member.Endpoint, "lock", "job", "--", "sh", "-c", "echo \"$ETCD_LOCK_KEY $ETCD_LOCK_REV\"");
        var queue = await WaitForKeysAsync(member, "job/", 2);
        Assert.Empty(waiter.Lines);

        Assert.Equal(0, await holder.TerminateAsync()); // etcdctl unlocks on SIGTERM

        var ran = Assert.Single(await waiter.LinesAsync(1)).Split(' ');
        Assert.Equal(0, await waiter.ExitAsync());
        Assert.Equal(queue[1], ran[0]);
        // The lock's revision is the one that saw the holder's key gone; the unlock after the command is the next.
        long revision = await RevisionAsync(member);
        Assert.Equal(revision - 1, long.Parse(ran[1], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Empty(await KeysAsync(member, "job/"));
        Assert.DoesNotContain(holderKey, await KeysAsync(member, ""));
    }

    [Theory]
    [InlineData(ServerKind.Etcd)]
    [InlineData(ServerKind.Cairn)]
    public async Task An_observer_sees_each_leader_as_campaigners_take_over(ServerKind kind)
    {
        using var member = Processes.TestMember.Create();
        await using var server = await ServerProcess.StartAsync(kind, member, output);
        await using var observer = RunningEtcdctl.Start(member.Endpoint, "elect", "-l", "pick");
        await using var first = RunningEtcdctl.Start(member.Endpoint, "elect", "pick", "one");
        var firstLines = await first.LinesAsync(2);
        Assert.Matches(LockKey("pick"), firstLines[0]);
        Assert.Equal("one", firstLines[1]);
        Assert.Equal(firstLines, await observer.LinesAsync(2));
        await using var second = RunningEtcdctl.Start(member.Endpoint, "elect", "pick", "two");
        var queue = await WaitForKeysAsync(member, "pick/", 2);
        Assert.Empty(second.Lines);

        // A campaigner killed: its session lease (etcdctl elect's is 60 s) is left to expire;
        // revoking it stands for the expiry, through the same raft entry, without the minute's wait.
        await first.KillAsync();
        Assert.Equal(firstLines[0], (await KeysAsync(member, "pick/"))[0]);
        await member.Etcdctl.OutputAsync("lease", "revoke", LeaseOf(firstLines[0]));

        var secondLines = await second.LinesAsync(2);
        Assert.Equal([queue[1], "two"], secondLines);
        Assert.Equal([.. firstLines, .. secondLines], await observer.LinesAsync(4));

        // A leader that stops resigns: nobody leads, the observer keeps watching, then stops cleanly.
        Assert.Equal(0, await second.TerminateAsync());
        Assert.Empty(await KeysAsync(member, "pick/"));
        await using var third = RunningEtcdctl.Start(member.Endpoint, "elect", "pick", "three");
        var thirdLines = await third.LinesAsync(2);
        Assert.Equal([.. firstLines, .. secondLines, .. thirdLines], await observer.LinesAsync(6));
        Assert.Equal(0, await third.TerminateAsync());
        Assert.Equal(0, await observer.TerminateAsync());
        Assert.Equal(6, observer.Lines.Count);
    }

    /// <summary>What etcdctl lock prints once it holds the lock: the key and its (empty) value.</summary>
    private static async Task<string> HeldKeyAsync(RunningEtcdctl locker)
    {
        var lines = await locker.LinesAsync(2);
        Assert.Equal(2, lines.Count);
        Assert.Equal("", lines[1]);
        return lines[0];
    }

    /// <summary>A holder's key as etcdctl prints it: the name, a slash, the session lease in hex.</summary>
    private static Regex LockKey(string name) => new($"^{Regex.Escape(name)}/[0-9a-f]+$");

    private static string LeaseOf(string key) => key[(key.LastIndexOf('/') + 1)..];

    private static async Task<List<string>> KeysAsync(Processes.TestMember member, string prefix)
    {
        var listed = await member.Etcdctl.OutputAsync("get", "--prefix", prefix, "--keys-only");
        return [.. listed.Split('\n', StringSplitOptions.RemoveEmptyEntries)];
    }

    /// <summary>Waits until <paramref name="count"/> keys stand under the prefix (a waiter has joined); returns them in creation order.</summary>
    private static async Task<List<string>> WaitForKeysAsync(Processes.TestMember member, string prefix, int count)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var listed = await member.Etcdctl.OutputAsync("get", "--prefix", prefix, "--keys-only", "--sort-by=CREATE", "--order=ASCEND");
            var keys = listed.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
            if (keys.Count >= count)
            {
                return keys;
            }
            Assert.True(DateTime.UtcNow < deadline, $"only {keys.Count} keys under {prefix} after {Patience}");
            await Task.Delay(50);
        }
    }

    private static async Task<long> RevisionAsync(Processes.TestMember member)
    {
        var json = await member.Etcdctl.OutputAsync("get", "nothing", "-w", "json");
        return JsonDocument.Parse(json).RootElement.GetProperty("header").GetProperty("revision").GetInt64();
    }
}
