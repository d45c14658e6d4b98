using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Cairn.Storage.Backend;
using Cairn.Storage.Bolt;
using Cairn.Storage.Tests.Bolt;
using Cairn.Storage.Tests.Bolt.Model;
using Xunit.Abstractions;

namespace Cairn.Storage.Tests.Backend;

/// <summary>
/// etcd 3.4.23 is the oracle: the same session built with Cairn's schema layer gives the same
/// `etcdctl snapshot status` (hash, revision, key count); Cairn reads every record of a data dir
/// a real etcd wrote; and a real etcd serves a backend Cairn wrote (through `etcdctl snapshot restore`).
/// </summary>
public sealed class EtcdBackendOracleTests(EtcdSessionFixture etcd, ITestOutputHelper output) : IClassFixture<EtcdSessionFixture>
{
    /// <summary>Writes the session's data through the typed layer: members, cluster version, leases, revisions, compaction marks, auth, consistent index.</summary>
    private string BuildWithCairn(string name)
    {
        var path = etcd.WorkFile(name);
        File.Delete(path);
        using var source = EtcdBackend.Open(etcd.SnapshotPath, EtcdBackend.EtcdBoltOptions with { ReadOnly = true });
        using var etcdView = source.BeginRead();
        using var backend = EtcdBackend.Open(path);
        using (var tx = backend.BeginWrite())
        {
            tx.PutMember(etcd.Member);
            tx.SetClusterVersion("3.4.0");
            foreach (var lease in etcd.Leases)
            {
                tx.PutLease(lease);
            }
            foreach (var (revision, (tombstone, kv)) in etcd.Model.Records)
            {
                if (tombstone)
                {
                    tx.PutTombstone(revision, kv.Key.Span);
                }
                else
                {
                    tx.PutKeyValue(revision, kv);
                }
            }
            tx.SetScheduledCompactRevision(etcd.Model.CompactedAt!.Value);
            tx.SetFinishedCompactRevision(etcd.Model.CompactedAt!.Value);
            // Password hashes are bcrypt with random salts: the users and roles are copied as etcd stored them.
            foreach (var user in etcdView.Users())
            {
                tx.PutUser(user);
            }
            foreach (var role in etcdView.Roles())
            {
                tx.PutRole(role);
            }
            tx.SetAuthRevision(etcdView.AuthRevision);
            tx.SetConsistentIndex(etcd.ConsistentIndex);
            tx.Commit();
        }
        return path;
    }

    [Fact]
    public async Task SnapshotStatusOfACairnBuiltBackendMatchesEtcds()
    {
        var path = BuildWithCairn("cairn-status.db");
        var expected = etcd.SnapshotStatus;
        var actual = await EtcdSessionFixture.StatusOf(path);
        output.WriteLine($"etcd:  {expected}");
        output.WriteLine($"cairn: {actual}");
        if (expected.GetProperty("hash").GetUInt32() != actual.GetProperty("hash").GetUInt32())
        {
            // Show where the content differs before failing.
            using var a = BoltDatabase.Open(etcd.SnapshotPath, new BoltOptions { ReadOnly = true });
            using var b = BoltDatabase.Open(path, new BoltOptions { ReadOnly = true });
            var left = a.View(BoltDump.Of);
            var right = b.View(BoltDump.Of);
            foreach (var line in left.Except(right))
            {
                output.WriteLine("etcd only:  " + line);
            }
            foreach (var line in right.Except(left))
            {
                output.WriteLine("cairn only: " + line);
            }
        }
        Assert.Equal(expected.GetProperty("hash").GetUInt32(), actual.GetProperty("hash").GetUInt32());
        Assert.Equal(expected.GetProperty("revision").GetInt64(), actual.GetProperty("revision").GetInt64());
        Assert.Equal(expected.GetProperty("totalKey").GetInt32(), actual.GetProperty("totalKey").GetInt32());

        using var backend = EtcdBackend.Open(path);
        var status = backend.Status();
        Assert.Equal(expected.GetProperty("hash").GetUInt32(), status.Hash);
        Assert.Equal(expected.GetProperty("revision").GetInt64(), status.Revision);
        Assert.Equal(expected.GetProperty("totalKey").GetInt32(), status.TotalKey);
        Assert.Equal(backend.Size, status.TotalSize);
    }

    [Fact]
    public async Task CairnReadsEveryRecordOfARealEtcdDataDir()
    {
        var dbPath = Path.Combine(etcd.DataDir, "member", "snap", "db");
        using (var backend = EtcdBackend.Open(dbPath))
        {
            Assert.Empty(backend.Database.Check());
            using var tx = backend.BeginRead();

            var records = new List<(Revision, bool, Cairn.Protocol.Mvccpb.KeyValue)>();
            foreach (var record in tx.AllRevisions())
            {
                records.Add((record.Revision, record.IsTombstone, record.ToKeyValue()));
            }
            Assert.Equal(etcd.Model.Records.Select(r => (r.Key, r.Value.Tombstone, r.Value.Value)), records);
            Assert.Equal(new Revision(etcd.Model.CurrentRevision), tx.LastRevision());
            var some = etcd.Model.Records.First(r => r.Value.Tombstone);
            Assert.Equal(some.Value.Value, tx.GetRevision(some.Key, out var tombstone));
            Assert.True(tombstone);
            Assert.Null(tx.GetRevision(new Revision(1), out _));

            Assert.Equal(etcd.Leases, tx.Leases());
            Assert.Equal([etcd.Member], tx.Members());
            Assert.Empty(tx.RemovedMembers());
            Assert.Equal("3.4.0", tx.ClusterVersion);
            Assert.Equal(etcd.ConsistentIndex, tx.ConsistentIndex);
            Assert.Equal(etcd.Model.CompactedAt, tx.ScheduledCompactRevision);
            Assert.Equal(etcd.Model.CompactedAt, tx.FinishedCompactRevision);
            Assert.False(tx.AuthEnabled);
            Assert.True(tx.AuthRevision > 1);
            Assert.Equal(etcd.Users, tx.Users().Select(u => u.Name.ToStringUtf8()));
            Assert.Equal(["reader"], tx.GetUser("alice")!.Roles);
            var permission = Assert.Single(tx.GetRole("reader")!.KeyPermission);
            Assert.Equal("/app/", permission.Key.ToStringUtf8());
            Assert.Equal("/app0", permission.RangeEnd.ToStringUtf8());
            Assert.Empty(tx.Alarms());
            Assert.Equal(BackendBuckets.All, BucketNames(tx.Bolt));
        }

        // etcd starts on the file Cairn opened for writing and serves every key.
        await using var restarted = await EtcdProcess.StartAsync(etcd.DataDir, etcd.PeerUrl);
        await AssertServes(restarted, etcd.Model);
    }

    [Fact]
    public async Task EtcdServesABackendCairnWrote()
    {
        var path = BuildWithCairn("cairn-restore.db");
        var dataDir = etcd.WorkFile("restored.data");
        var peerUrl = $"http://127.0.0.1:{FreePort()}";
        var (code, _, error) = await ProcessRunner.RunAsync("etcdctl",
            ["snapshot", "restore", path, "--skip-hash-check", "--data-dir", dataDir, "--name", EtcdProcess.Name,
             "--initial-cluster", $"{EtcdProcess.Name}={peerUrl}", "--initial-advertise-peer-urls", peerUrl], null, null, null);
        Assert.True(code == 0, $"etcdctl snapshot restore failed: {error}");
        await using var restored = await EtcdProcess.StartAsync(dataDir, peerUrl);
        await AssertServes(restored, etcd.Model);
        var leases = await restored.CtlAsync("lease", "list");
        foreach (var lease in etcd.Leases)
        {
            Assert.Contains(lease.ID.ToString("x"), leases);
        }
    }

    [Fact]
    public void HashKvMatchesEtcdsEndpointHashkv()
    {
        using var backend = EtcdBackend.Open(etcd.SnapshotPath, EtcdBackend.EtcdBoltOptions with { ReadOnly = true });
        using var tx = backend.BeginRead();
        // The key index's Keep(current): the newest revision of every live key.
        var newest = new Dictionary<string, Revision>();
        var live = new HashSet<string>(etcd.Model.Live().Keys);
        foreach (var (revision, (_, kv)) in etcd.Model.Records)
        {
            newest[kv.Key.ToStringUtf8()] = revision;
        }
        var keep = newest.Where(e => live.Contains(e.Key)).Select(e => e.Value).ToHashSet();
        var hash = BackendHashes.HashKeyValues(tx, etcd.Model.CurrentRevision, etcd.Model.CompactedAt!.Value, keep);
        Assert.Equal(etcd.HashKv, hash);
    }

    [Fact]
    public void AFreshCairnBackendHasEtcdsBuckets()
    {
        var path = etcd.WorkFile("fresh.db");
        File.Delete(path);
        using var backend = EtcdBackend.Open(path);
        using var tx = backend.BeginRead();
        using var reference = BoltDatabase.Open(etcd.SnapshotPath, new BoltOptions { ReadOnly = true });
        Assert.Equal(reference.View(BucketNames), BucketNames(tx.Bolt));
        Assert.Equal(1ul, tx.AuthRevision);
        Assert.Equal(0ul, tx.ConsistentIndex);
    }

    private static List<string> BucketNames(BoltTransaction tx)
    {
        var names = new List<string>();
        tx.ForEachBucket((name, _) => names.Add(System.Text.Encoding.UTF8.GetString(name)));
        return names;
    }

    private static async Task AssertServes(EtcdProcess server, MvccModel model)
    {
        using var doc = JsonDocument.Parse(await server.CtlAsync("get", "", "--prefix", "-w", "json"));
        var kvs = doc.RootElement.GetProperty("kvs").EnumerateArray().ToList();
        var expected = model.Live();
        Assert.Equal(expected.Count, kvs.Count);
        foreach (var kv in kvs)
        {
            var key = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(kv.GetProperty("key").GetString()!));
            var want = expected[key];
            Assert.Equal(want.Value.ToStringUtf8(), System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(kv.GetProperty("value").GetString()!)));
            Assert.Equal(want.CreateRevision, kv.GetProperty("create_revision").GetInt64());
            Assert.Equal(want.ModRevision, kv.GetProperty("mod_revision").GetInt64());
            Assert.Equal(want.Version, kv.GetProperty("version").GetInt64());
            Assert.Equal(want.Lease, kv.TryGetProperty("lease", out var lease) ? lease.GetInt64() : 0);
        }
        Assert.Equal(model.CurrentRevision, doc.RootElement.GetProperty("header").GetProperty("revision").GetInt64());
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
