using System.Globalization;
using Cairn.Protocol.Etcdserverpb;
using Cairn.Protocol.Raftpb;
using Cairn.Storage.Snap;
using Cairn.Storage.Snap.V2Store;
using Cairn.Storage.Wal;
using Google.Protobuf;
using Xunit.Abstractions;
using WalSnapshot = Cairn.Protocol.Walpb.Snapshot;

namespace Cairn.Storage.Tests.Wal;

/// <summary>
/// Cross-check with a real etcd 3.4.23: etcd writes a data dir (several snapshots, a learner
/// member), Cairn reads its WAL and snap files and gets what etcd's own Go code reads; then Cairn
/// appends to etcd's WAL and etcd starts on it, and Cairn reads what etcd appended after that.
/// </summary>
[Collection(GoWalCheckCollection.Name)]
public sealed class RealEtcdDataDirTests(GoWalCheck go, ITestOutputHelper output)
{
    private const int Puts = 240;

    [Fact]
    public async Task Cairn_reads_every_entry_hard_state_and_snapshot_of_a_real_etcd_and_etcd_runs_on_what_cairn_appends()
    {
        using var tmp = new TempDirectory();
        string dataDir = tmp.Combine("etcd.data");
        string walDir = Path.Combine(dataDir, "member", "wal");
        string snapDir = Path.Combine(dataDir, "member", "snap");
        string log = tmp.Combine("etcd.log");
        ulong learnerId;
        string peerUrl;

        await using (var etcd = await EtcdProcess.StartAsync(dataDir, "cairn-check", snapshotCount: 100, log))
        {
            peerUrl = etcd.PeerUrl;
            try
            {
                await PutAsync(etcd, 1, Puts / 2);
                string added = await etcd.CtlAsync("member", "add", "learner-1", "--peer-urls=http://127.0.0.1:1", "--learner");
                learnerId = ulong.Parse(added.Split(' ')[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                await PutAsync(etcd, Puts / 2 + 1, Puts);
                await etcd.CtlAsync("del", "k1");
                await etcd.StopAsync();
            }
            catch
            {
                output.WriteLine(etcd.Log);
                throw;
            }
        }

        // The snapshots a restart may use, and the newest of them, as etcd's server picks them.
        var walSnapshots = WalInspection.ValidSnapshotEntries(walDir);
        var snapshot = new Snapshotter(snapDir).LoadNewestAvailable(walSnapshots);
        Assert.True(walSnapshots.Count >= 3, $"expected several snapshots, the WAL has {walSnapshots.Count}");
        Assert.Equal(walSnapshots[^1].Index, snapshot.Metadata.Index);

        // Every snap file, as etcd's snap.Read sees it.
        var goSnaps = await go.RunAsync("snap", snapDir);
        foreach (string name in Directory.GetFiles(snapDir, "*.snap").Select(p => Path.GetFileName(p)).Order(StringComparer.Ordinal))
        {
            Assert.Contains($"file {name} {Describe(Snapshotter.Read(Path.Combine(snapDir, name)))}", goSnaps);
        }
        Assert.Contains($"load {Describe(snapshot)}", goSnaps);

        // The WAL from the start and from the newest snapshot, as etcd's wal.ReadAll sees it.
        foreach (var at in new[] { new WalSnapshot { Index = 0, Term = 0 }, walSnapshots[^1] })
        {
            using var reader = WriteAheadLog.OpenForRead(walDir, at);
            var contents = reader.ReadAll();
            var goLines = await go.RunAsync("read", walDir, at.Index.ToString(CultureInfo.InvariantCulture), at.Term.ToString(CultureInfo.InvariantCulture));
            Assert.Equal(goLines.TakeWhile(l => !l.StartsWith("verify", StringComparison.Ordinal)), Describe(contents));
            Assert.Contains("verify ok", goLines);
            WalInspection.Verify(walDir, at);
        }

        using (var reader = WriteAheadLog.OpenForRead(walDir, new WalSnapshot()))
        {
            var contents = reader.ReadAll();
            var metadata = Metadata.Parser.ParseFrom(contents.Metadata);
            Assert.Equal(contents.Metadata, WalMetadata.Encode(metadata.NodeID, metadata.ClusterID));
            Assert.Equal((metadata.NodeID, metadata.ClusterID), WalMetadata.Decode(contents.Metadata));
            var puts = contents.Entries
                .Where(e => e.Type == EntryType.EntryNormal && e.HasData)
                .Select(e => TryParseRequest(e.Data))
                .Where(r => r?.Put is not null)
                .Select(r => r!.Put.Key.ToStringUtf8())
                .ToHashSet();
            Assert.Equal(Enumerable.Range(1, Puts).Select(i => $"k{i}").ToHashSet(), puts);
            Assert.Equal((ulong)contents.Entries.Count, contents.Entries[^1].Index);
            Assert.True(contents.State.Commit == contents.Entries[^1].Index);

            // The v2 store in the snapshot: both members, the learner flagged, the cluster version.
            var store = V2StoreJson.Parse(snapshot.Data.Span);
            Assert.Equal(snapshot.Data.ToByteArray(), V2StoreJson.Serialize(store));
            var members = V2Membership.Members(store);
            Assert.Equal(new[] { metadata.NodeID, learnerId }.Order(), members.Select(m => m.Id));
            var self = members.Single(m => m.Id == metadata.NodeID);
            Assert.Equal("cairn-check", self.Name);
            Assert.False(self.IsLearner);
            Assert.True(members.Single(m => m.Id == learnerId).IsLearner);
            Assert.Equal(["http://127.0.0.1:1"], members.Single(m => m.Id == learnerId).PeerUrls);
            Assert.Equal("3.4.0", V2Membership.ClusterVersion(store));
            Assert.Equal([metadata.NodeID], snapshot.Metadata.ConfState.Voters);
            Assert.Equal([learnerId], snapshot.Metadata.ConfState.Learners);
        }

        // Cairn appends a committed no-op entry to etcd's WAL, as a Cairn member would...
        ulong appended;
        var (wal, recovered) = WriteAheadLog.Recover(walDir, walSnapshots[^1]);
        using (wal)
        {
            var state = recovered.State;
            appended = recovered.Entries[^1].Index + 1;
            wal.Save(HardState.Of(state.Term, state.Vote, appended), [Entry.Of(state.Term, appended, EntryType.EntryNormal, null)]);
        }

        // ...and etcd starts on it (same peer URL, as its membership records), applies it, keeps serving, and appends after it.
        await using (var etcd = await EtcdProcess.StartAsync(dataDir, "cairn-check", snapshotCount: 100, log, peerUrl))
        {
            try
            {
                Assert.Equal("v2\n", await etcd.CtlAsync("get", "k2", "--print-value-only"));
                await etcd.CtlAsync("put", "after-cairn", "yes");
                await etcd.StopAsync();
            }
            catch
            {
                output.WriteLine(etcd.Log);
                throw;
            }
        }
        var (again, afterEtcd) = WriteAheadLog.Recover(walDir, WalInspection.ValidSnapshotEntries(walDir)[^1]);
        using (again)
        {
            Assert.Contains(afterEtcd.Entries, e => e.Index == appended && !e.HasData);
            Assert.True(afterEtcd.Entries[^1].Index > appended);
            Assert.Contains(afterEtcd.Entries, e => TryParseRequest(e.Data)?.Put?.Key.ToStringUtf8() == "after-cairn");
        }
    }

    private static async Task PutAsync(EtcdProcess etcd, int first, int last)
    {
        // Four etcdctl processes at a time: each put is its own raft entry either way.
        var keys = Enumerable.Range(first, last - first + 1).ToList();
        await Parallel.ForEachAsync(keys, new ParallelOptions { MaxDegreeOfParallelism = 4 },
            async (i, _) => await etcd.CtlAsync("put", $"k{i}", $"v{i}"));
    }

    private static InternalRaftRequest? TryParseRequest(ByteString data)
    {
        try
        {
            return InternalRaftRequest.Parser.ParseFrom(data);
        }
        catch (InvalidProtocolBufferException)
        {
            return null; // v2 requests (member attributes) are not wrapped
        }
    }

    private static string Describe(Snapshot s) =>
        $"index {s.Metadata.Index} term {s.Metadata.Term} voters [{string.Join(' ', s.Metadata.ConfState.Voters)}] " +
        $"learners [{string.Join(' ', s.Metadata.ConfState.Learners)}] autoleave {(s.Metadata.ConfState.AutoLeave ? "true" : "false")} " +
        $"data {(s.HasData ? "x" + Convert.ToHexString(s.Data.Span).ToLowerInvariant() : "-")}";

    private static IEnumerable<string> Describe(WalContents contents)
    {
        yield return $"metadata {(contents.Metadata is null ? "-" : "x" + Convert.ToHexString(contents.Metadata).ToLowerInvariant())}";
        yield return $"state {contents.State.Term} {contents.State.Vote} {contents.State.Commit}";
        foreach (var e in contents.Entries)
        {
            yield return $"entry {e.Term} {e.Index} {(int)e.Type} {(e.HasData ? "x" + Convert.ToHexString(e.Data.Span).ToLowerInvariant() : "-")}";
        }
    }
}
