using System.Text.Json;
using Cairn.Protocol.Etcdserverpb;
using Cairn.Server.Api;
using Cairn.Server.Grpc;
using Cairn.Server.Grpc.Client;
using Xunit.Abstractions;

namespace Cairn.Tests.Lease;

/// <summary>
/// The oracle: the same etcdctl lease session run against etcd 3.4.23 and against cairn, every
/// output compared after normalizing what each server chooses (lease IDs, cluster and member
/// IDs) and what depends on timing (remaining TTLs). Revisions are compared as they are: both
/// servers see the same writes in the same order, an expiry included.
/// </summary>
public sealed class LeaseOracleTests(ITestOutputHelper output)
{
    private static readonly string[][] Session =
    [
        ["lease", "grant", "60"],
        ["lease", "grant", "600", "-w", "json"],
        ["lease", "list"],
        ["lease", "list", "-w", "json"],
        ["put", "--lease=L1", "k1", "v1"],
        ["put", "--lease=L1", "k0", "v0"],
        ["put", "--lease=L2", "m", "v"],
        ["get", "k", "--prefix", "-w", "json"],
        ["lease", "timetolive", "L1"],
        ["lease", "timetolive", "--keys", "L1"],
        ["lease", "timetolive", "--keys", "L1", "-w", "json"],
        ["lease", "timetolive", "1234"],
        ["lease", "timetolive", "--keys", "1234", "-w", "json"],
        ["lease", "keep-alive", "--once", "L1"],
        ["lease", "keep-alive", "--once", "L2", "-w", "json"],
        ["lease", "keep-alive", "--once", "1234"],
        ["put", "--lease=1234", "a", "b"],
        ["put", "k1", "v2", "--ignore-lease"],
        ["get", "k1", "-w", "json"],
        ["put", "k1", "v3"],
        ["lease", "timetolive", "--keys", "L1"],
        ["put", "--lease=L2", "k0", "moved"],
        ["lease", "timetolive", "--keys", "L1"],
        ["lease", "timetolive", "--keys", "L2"],
        ["del", "m"],
        ["lease", "timetolive", "--keys", "L2"],
        ["put", "--lease=L2", "n1", "x"],
        ["put", "--lease=L2", "n2", "y"],
        ["lease", "revoke", "L2"],
        ["get", "", "--from-key", "-w", "json"],
        ["lease", "revoke", "L2"],
        ["lease", "revoke", "L2", "-w", "json"],
        ["lease", "timetolive", "L2"],
        ["lease", "keep-alive", "--once", "L2"],
        ["lease", "revoke", "L1", "-w", "json"],
        ["lease", "list"],
        ["lease", "grant", "0"],
        ["lease", "grant", "5"],
        ["put", "--lease=L4", "e1", "x"],
        ["put", "--lease=L4", "e2", "y"],
    ];

    /// <summary>After L4 (and L3, the minimum TTL, before it) expired on their own.</summary>
    private static readonly string[][] AfterExpiry =
    [
        ["get", "", "--from-key", "-w", "json"],
        ["lease", "timetolive", "--keys", "L4"],
        ["lease", "timetolive", "L3"],
        ["lease", "revoke", "L4"],
        ["lease", "list", "-w", "json"],
    ];

    [Fact]
    public async Task The_etcdctl_lease_session_prints_the_same_on_etcd_and_cairn()
    {
        var etcd = RunSessionAsync("etcd");
        var cairn = RunSessionAsync("cairn");
        var (etcdSteps, cairnSteps) = (await etcd, await cairn);
        for (int i = 0; i < etcdSteps.Count; i++)
        {
            output.WriteLine($"$ {etcdSteps[i].Step}\n{etcdSteps[i].Output}");
        }
        Assert.Equal(etcdSteps.Count, cairnSteps.Count);
        for (int i = 0; i < etcdSteps.Count; i++)
        {
            Assert.True(etcdSteps[i] == cairnSteps[i],
                $"step {i + 1} `{etcdSteps[i].Step}` differs\n--- etcd\n{etcdSteps[i].Output}\n--- cairn\n{cairnSteps[i].Output}");
        }
    }

    [Fact]
    public async Task Client_chosen_ids_and_errors_over_grpc_are_the_same_on_etcd_and_cairn()
    {
        var etcd = GrpcSessionAsync("etcd");
        var cairn = GrpcSessionAsync("cairn");
        var (expected, actual) = (await etcd, await cairn);
        output.WriteLine(string.Join('\n', expected));
        Assert.Equal(expected, actual);
    }

    private static async Task<List<(string Step, string Output)>> RunSessionAsync(string server)
    {
        await using var member = await MemberProcess.StartAsync(server);
        var normalizer = new EtcdctlSessionNormalizer();
        var steps = new List<(string, string)>();
        async Task Run(string[] step)
        {
            var args = step.Select(normalizer.Resolve).ToArray();
            bool isGrant = step is ["lease", "grant", ..];
            steps.Add((string.Join(' ', step), normalizer.Normalize(await member.EtcdctlAsync(args), isGrant)));
        }
        foreach (var step in Session)
        {
            await Run(step);
        }
        // L4 expires on its own: wait for its keys to go (the revoke is the server's doing).
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while ((await member.EtcdctlAsync("get", "e", "--prefix", "--keys-only", "-w", "json")).Stdout.Contains("\"count\":", StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, $"{server} never revoked the expired lease\n{member.Log}");
            await Task.Delay(100);
        }
        foreach (var step in AfterExpiry)
        {
            await Run(step);
        }
        return steps;
    }

    private static async Task<List<string>> GrpcSessionAsync(string server)
    {
        await using var member = await MemberProcess.StartAsync(server);
        using var channel = new GrpcChannel($"http://{member.Endpoint}");
        var lines = new List<string>();
        async Task Call<TResponse>(string label, Func<Task<TResponse>> call)
            where TResponse : Google.Protobuf.IMessage
        {
            try
            {
                var response = await call();
                if (response is LeaseTimeToLiveResponse { TTL: > 0 } ttl)
                {
                    // The seconds left depend on when the call ran; that there are some is what compares.
                    ttl.TTL = 1;
                }
                // The header's cluster, member and term are the server's own.
                var json = JsonDocument.Parse(Google.Protobuf.JsonFormatter.Default.Format(response)).RootElement;
                lines.Add($"{label}: " + string.Join(' ', json.EnumerateObject().Where(p => p.Name != "header").Select(p => $"{p.Name}={p.Value}"))
                    + (json.TryGetProperty("header", out var h) && h.TryGetProperty("revision", out var r) ? $" revision={r}" : ""));
            }
            catch (GrpcException e)
            {
                lines.Add($"{label}: {e.Code} {e.Detail}");
            }
        }
        await Call("grant 0x1234", () => channel.UnaryAsync(EtcdMethods.Lease.LeaseGrant, new LeaseGrantRequest { ID = 0x1234, TTL = 100 }));
        await Call("grant 0x1234 again", () => channel.UnaryAsync(EtcdMethods.Lease.LeaseGrant, new LeaseGrantRequest { ID = 0x1234, TTL = 50 }));
        await Call("grant negative id", () => channel.UnaryAsync(EtcdMethods.Lease.LeaseGrant, new LeaseGrantRequest { ID = -7, TTL = 50 }));
        await Call("grant too long", () => channel.UnaryAsync(EtcdMethods.Lease.LeaseGrant, new LeaseGrantRequest { ID = 99, TTL = 9_000_000_001 }));
        await Call("grant longest", () => channel.UnaryAsync(EtcdMethods.Lease.LeaseGrant, new LeaseGrantRequest { ID = 100, TTL = 9_000_000_000 }));
        await Call("put on 0x1234", () => channel.UnaryAsync(EtcdMethods.Kv.Put, new PutRequest { Key = Google.Protobuf.ByteString.CopyFromUtf8("k"), Lease = 0x1234 }));
        await Call("time to live -7", () => channel.UnaryAsync(EtcdMethods.Lease.LeaseTimeToLive, new LeaseTimeToLiveRequest { ID = -7 }));
        await Call("time to live unknown", () => channel.UnaryAsync(EtcdMethods.Lease.LeaseTimeToLive, new LeaseTimeToLiveRequest { ID = 5, Keys = true }));
        await Call("leases", () => channel.UnaryAsync(EtcdMethods.Lease.LeaseLeases, new LeaseLeasesRequest()));
        await Call("revoke 0x1234", () => channel.UnaryAsync(EtcdMethods.Lease.LeaseRevoke, new LeaseRevokeRequest { ID = 0x1234 }));
        await Call("revoke 0", () => channel.UnaryAsync(EtcdMethods.Lease.LeaseRevoke, new LeaseRevokeRequest { ID = 0 }));
        using (var keepAlive = channel.DuplexStreaming(EtcdMethods.Lease.LeaseKeepAlive))
        {
            foreach (long id in new long[] { -7, 0x1234, 100 })
            {
                await keepAlive.RequestStream.WriteAsync(new LeaseKeepAliveRequest { ID = id });
                await keepAlive.ResponseStream.MoveNextAsync();
                var r = keepAlive.ResponseStream.Current;
                lines.Add($"keep-alive {id}: ID={r.ID} TTL={r.TTL} revision={r.Header.Revision}");
            }
            await keepAlive.RequestStream.CompleteAsync();
        }
        return lines;
    }
}
