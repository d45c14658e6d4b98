using Cairn.Protocol.Etcdserverpb;
using Cairn.Server.Apply;
using Cairn.Server.Tests.Grpc.Support;
using Cairn.Server.Tests.Server;
using Google.Protobuf;
using Xunit.Abstractions;
using Revision = Cairn.Server.Mvcc.Revision;

namespace Cairn.Server.Tests.Lease;

/// <summary>
/// Leases in a whole member: grants and revokes through raft, expiry decided by the leader and
/// applied as a revoke entry, the TTL extension at restart, and mass expiry next to writes.
/// The member runs with a 10 ms heartbeat and 100 ms election timeout, so the minimum TTL is 1 s.
/// </summary>
public sealed class LeaseMemberTests(ITestOutputHelper output)
{
    private static readonly string[] FastElection = ["--heartbeat-interval", "10", "--election-timeout", "100"];

    internal static async Task<LeaseGrantResponse> Grant(MemberServer server, long id, long ttl)
    {
        var result = await server.ProposeAsync(new InternalRaftRequest { LeaseGrant = new LeaseGrantRequest { ID = id, TTL = ttl } }, CancellationToken.None);
        Assert.Null(result.Error);
        return (LeaseGrantResponse)result.Response!;
    }

    internal static async Task<PutResponse> Put(MemberServer server, string key, string value, long lease = 0)
    {
        var result = await server.ProposeAsync(new InternalRaftRequest
        {
            Put = new PutRequest { Key = ByteString.CopyFromUtf8(key), Value = ByteString.CopyFromUtf8(value), Lease = lease },
        }, CancellationToken.None);
        Assert.Null(result.Error);
        return (PutResponse)result.Response!;
    }

    /// <summary>Every tombstone at or after <paramref name="from"/>: (revision, key).</summary>
    private static List<(Revision Revision, string Key)> Tombstones(MemberServer server, long from)
    {
        var found = new List<(Revision, string)>();
        server.Backend.ScanRecords(new Revision(from, 0), new Revision(long.MaxValue, 0), (revision, tombstone, kv) =>
        {
            if (tombstone)
            {
                found.Add((revision, Protocol.Mvccpb.KeyValue.Parser.ParseFrom(kv).Key.ToStringUtf8()));
            }
            return true;
        });
        return found;
    }

    private static bool Exists(MemberServer server, string key) =>
        server.Kv.Range(new RangeRequest { Key = ByteString.CopyFromUtf8(key) }).Kvs.Count > 0;

    [Fact]
    public async Task The_minimum_ttl_follows_the_election_timeout_as_etcds()
    {
        await using (var fast = await TestMember.StartAsync(null, FastElection))
        {
            Assert.Equal(1, (await Grant(fast.Server, 1, 0)).TTL);
        }
        // etcd's defaults (100 ms heartbeat, 1 s election): 1.5 s rounded up.
        await using var defaults = await TestMember.StartAsync();
        Assert.Equal(2, (await Grant(defaults.Server, 1, 1)).TTL);
    }

    [Fact]
    public async Task An_expired_lease_is_revoked_through_raft_deleting_its_keys_in_one_revision()
    {
        await using var member = await TestMember.StartAsync(null, FastElection);
        var server = member.Server;
        await Grant(server, 7, 1);
        await Put(server, "b", "1", lease: 7);
        await Put(server, "a", "2", lease: 7);
        long before = server.Store.CurrentRevision;
        ulong committedBefore = server.Raft.CommittedIndex;

        await Eventually.HoldsAsync(() => !server.Lessor.Exists(7), "lease 7 revoked", TimeSpan.FromSeconds(30));

        Assert.False(Exists(server, "a") || Exists(server, "b"));
        Assert.Equal(before + 1, server.Store.CurrentRevision);
        Assert.Equal([(new Revision(before + 1, 0), "a"), (new Revision(before + 1, 1), "b")], Tombstones(server, before + 1));
        Assert.True(server.Raft.CommittedIndex > committedBefore, "the revoke is a raft entry");
        server.Backend.ForceCommit();
        Assert.DoesNotContain(server.Backend.Read(tx => tx.Leases()), l => l.ID == 7);
    }

    [Fact]
    public async Task A_lease_expires_after_a_restart_with_its_ttl_extended_and_its_keys_are_deleted_exactly_once_in_one_revision()
    {
        var member = await TestMember.StartAsync(null, FastElection);
        await Grant(member.Server, 1, 3);
        foreach (var key in new[] { "k3", "k1", "k2" })
        {
            await Put(member.Server, key, "v", lease: 1);
        }
        await Put(member.Server, "unrelated", "v");
        long before = member.Server.Store.CurrentRevision;

        member = await member.RestartAsync(FastElection);
        try
        {
            var server = member.Server;
            // Restored with its keys, and not expired early: its full TTL counts again from the restart.
            var status = server.Lessor.TimeToLive(1, withKeys: true);
            Assert.NotNull(status);
            Assert.Equal(3, status.Keys.Count);
            Assert.InRange(status.RemainingSeconds, 1, 3);

            await Eventually.HoldsAsync(() => !server.Lessor.Exists(1), "lease 1 revoked after the restart", TimeSpan.FromSeconds(30));
            Assert.Equal(before + 1, server.Store.CurrentRevision);
            Assert.Equal([(new Revision(before + 1, 0), "k1"), (new Revision(before + 1, 1), "k2"), (new Revision(before + 1, 2), "k3")],
                Tombstones(server, 1));
            Assert.True(Exists(server, "unrelated"));

            member = await member.RestartAsync(FastElection);
            Assert.Equal(before + 1, member.Server.Store.CurrentRevision);
            Assert.Equal(0, member.Server.Lessor.Count);
            Assert.Equal(3, Tombstones(member.Server, 1).Count);
        }
        finally
        {
            await member.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_persisted_checkpoint_survives_a_restart_and_a_renewal_clears_it_through_raft()
    {
        string[] flags = [.. FastElection, "--experimental-enable-lease-checkpoint", "--experimental-enable-lease-checkpoint-persist"];
        var member = await TestMember.StartAsync(null, flags);
        try
        {
            await Grant(member.Server, 1, 600);
            await Grant(member.Server, 2, 600);
            var checkpoint = new LeaseCheckpointRequest();
            checkpoint.Checkpoints.Add(new LeaseCheckpoint { ID = 1, RemainingTTL = 300 });
            checkpoint.Checkpoints.Add(new LeaseCheckpoint { ID = 2, RemainingTTL = 300 });
            // What the primary's checkpoint round proposes (every 5 minutes by default).
            await member.Server.Lessor.Checkpointer!(checkpoint, CancellationToken.None);
            Assert.Equal(Cairn.Server.Lease.LeaseRenewalStatus.Renewed, (await member.Server.Lessor.RenewAsync(2, CancellationToken.None)).Status);

            member = await member.RestartAsync(flags);
            Assert.InRange(member.Server.Lessor.TimeToLive(1, false)!.RemainingSeconds, 290, 300);
            Assert.InRange(member.Server.Lessor.TimeToLive(2, false)!.RemainingSeconds, 590, 600);
        }
        finally
        {
            await member.DisposeAsync();
        }
    }

    [Fact]
    public async Task Thousands_of_leases_expiring_together_are_revoked_in_a_stream_that_writes_interleave_with()
    {
        const int leases = 2000;
        await using var member = await TestMember.StartAsync(null, FastElection);
        var server = member.Server;
        var started = DateTime.UtcNow;
        await Parallel.ForAsync(0, leases, new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (i, _) =>
        {
            await Grant(server, i + 1, 2);
            await Put(server, $"leased/{i:00000}", "v", lease: i + 1);
        });
        output.WriteLine($"granted and attached {leases} leases in {DateTime.UtcNow - started}");

        using var stop = new CancellationTokenSource();
        var writes = new List<long>();
        var writer = Task.Run(async () =>
        {
            for (int i = 0; !stop.IsCancellationRequested; i++)
            {
                writes.Add((await Put(server, "writer", i.ToString(System.Globalization.CultureInfo.InvariantCulture))).Header.Revision);
            }
        });
        await Eventually.HoldsAsync(() => server.Lessor.Count == 0, $"all {leases} leases revoked", TimeSpan.FromMinutes(2));
        stop.Cancel();
        await writer;
        output.WriteLine($"revoked after {DateTime.UtcNow - started}; {writes.Count} writes meanwhile");

        var tombstones = Tombstones(server, 1).Where(t => t.Key.StartsWith("leased/", StringComparison.Ordinal)).ToList();
        Assert.Equal(leases, tombstones.Count);
        Assert.Equal(leases, tombstones.Select(t => t.Key).Distinct().Count());
        Assert.Equal(leases, tombstones.Select(t => t.Revision.Main).Distinct().Count());
        long first = tombstones.Min(t => t.Revision.Main), last = tombstones.Max(t => t.Revision.Main);
        int interleaved = writes.Count(r => r > first && r < last);
        output.WriteLine($"revokes from revision {first} to {last}; {interleaved} writes between them");
        Assert.True(interleaved > 0, "no write was applied while the leases were being revoked");
    }
}
