using System.Globalization;
using System.Text;
using System.Text.Json;
using Cairn.Storage.Backend;
using Cairn.Storage.Tests.Bolt;
using LeaseRecord = Cairn.Protocol.Leasepb.Lease;

namespace Cairn.Storage.Tests.Backend;

/// <summary>
/// Runs one scripted etcdctl session against a real etcd 3.4 in a temporary data dir (puts,
/// overwrites, deletes, a txn, leases, a compaction, users and roles), saves a snapshot with
/// `etcdctl snapshot save`, records what etcd reported, and stops etcd. The same session is kept as
/// an <see cref="MvccModel"/> so tests can build the same data through Cairn's schema layer.
/// </summary>
public sealed class EtcdSessionFixture : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();

    public string DataDir => _dir.File("etcd.data");

    public string SnapshotPath => _dir.File("etcd-snapshot.db");

    public string WorkFile(string name) => _dir.File(name);

    public MvccModel Model { get; } = new();

    public List<LeaseRecord> Leases { get; } = new();

    public MemberRecord Member { get; private set; } = null!;

    public string PeerUrl { get; private set; } = "";

    public ulong ConsistentIndex { get; private set; }

    public JsonElement SnapshotStatus { get; private set; }

    /// <summary>What `etcdctl endpoint hashkv` (Maintenance.HashKV at the current revision) reported.</summary>
    public uint HashKv { get; private set; }

    public string[] Users { get; } = ["alice", "root"];

    public async Task InitializeAsync()
    {
        await using var etcd = await EtcdProcess.StartAsync(DataDir);
        PeerUrl = etcd.PeerUrl;

        var granted = await etcd.CtlAsync("lease", "grant", "600");
        var leaseId = long.Parse(granted.Split(' ')[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        Leases.Add(new LeaseRecord { ID = leaseId, TTL = 600 });
        var other = await etcd.CtlAsync("lease", "grant", "3600");
        Leases.Add(new LeaseRecord { ID = long.Parse(other.Split(' ')[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture), TTL = 3600 });
        Leases.Sort((a, b) => ((ulong)a.ID).CompareTo((ulong)b.ID));

        await Put(etcd, "foo", "bar");
        await Put(etcd, "foo", "baz");
        await Put(etcd, "a", "1");
        await etcd.CtlAsync("put", "b", "2", $"--lease={leaseId:x}");
        Model.Put("b", "2", leaseId);
        await etcd.CtlAsync("del", "a");
        Model.Delete("a");
        await etcd.CtlWithInputAsync("\nput t1 x\nput t2 y\ndel foo\n\n\n", "txn");
        Model.Txn(("put", "t1", "x"), ("put", "t2", "y"), ("del", "foo", ""));
        await Put(etcd, "a", "again");
        await Put(etcd, "t1", "x2");

        var compactAt = Model.CurrentRevision - 1;
        await etcd.CtlAsync("compaction", compactAt.ToString(CultureInfo.InvariantCulture));
        Model.Compact(compactAt);
        await etcd.CtlAsync("del", "t2");
        Model.Delete("t2");

        await etcd.CtlAsync("user", "add", "root:rootpw");
        await etcd.CtlAsync("user", "add", "alice:alicepw");
        await etcd.CtlAsync("role", "add", "reader");
        await etcd.CtlAsync("role", "grant-permission", "reader", "read", "/app/", "--prefix");
        await etcd.CtlAsync("user", "grant-role", "alice", "reader");

        // Enough keys for a key bucket of several pages: two txns of 100 puts.
        for (var batch = 0; batch < 2; batch++)
        {
            var script = new StringBuilder("\n");
            var ops = new List<(string, string, string)>();
            for (var i = 0; i < 100; i++)
            {
                var key = $"/app/{batch}/{i:D3}";
                var value = new string((char)('a' + (i % 26)), 20 + i);
                script.Append(CultureInfo.InvariantCulture, $"put {key} {value}\n");
                ops.Add(("put", key, value));
            }
            script.Append("\n\n");
            await etcd.CtlWithInputAsync(script.ToString(), "txn");
            Model.Txn(ops.ToArray());
        }
        await Put(etcd, "last", "value");

        using (var status = JsonDocument.Parse(await etcd.CtlAsync("endpoint", "status", "-w", "json")))
        {
            ConsistentIndex = status.RootElement[0].GetProperty("Status").GetProperty("raftAppliedIndex").GetUInt64();
        }
        using (var members = JsonDocument.Parse(await etcd.CtlAsync("member", "list", "-w", "json")))
        {
            var m = members.RootElement.GetProperty("members")[0];
            Member = new MemberRecord(
                m.GetProperty("ID").GetUInt64(),
                m.GetProperty("peerURLs").EnumerateArray().Select(u => u.GetString()!).ToArray(),
                m.GetProperty("name").GetString()!,
                m.GetProperty("clientURLs").EnumerateArray().Select(u => u.GetString()!).ToArray());
        }
        using (var hashKv = JsonDocument.Parse(await etcd.CtlAsync("endpoint", "hashkv", "-w", "json")))
        {
            HashKv = hashKv.RootElement[0].GetProperty("HashKV").GetProperty("hash").GetUInt32();
        }
        await etcd.CtlAsync("snapshot", "save", SnapshotPath);
        SnapshotStatus = await StatusOf(SnapshotPath);
        await etcd.StopAsync();
    }

    /// <summary>`etcdctl snapshot status -w json` of a file.</summary>
    public static async Task<JsonElement> StatusOf(string path)
    {
        var (code, output, error) = await ProcessRunner.RunAsync("etcdctl", ["snapshot", "status", path, "-w", "json"], null, null, null);
        if (code != 0)
        {
            throw new InvalidOperationException($"etcdctl snapshot status {path} failed: {error}");
        }
        using var doc = JsonDocument.Parse(output);
        return doc.RootElement.Clone();
    }

    private async Task Put(EtcdProcess etcd, string key, string value)
    {
        await etcd.CtlAsync("put", key, value);
        Model.Put(key, value);
    }

    public Task DisposeAsync()
    {
        _dir.Dispose();
        return Task.CompletedTask;
    }
}
