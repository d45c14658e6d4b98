using System.Diagnostics;
using Cairn.Protocol.Raftpb;
using Cairn.Raft;
using Cairn.Raft.Storage;
using Cairn.Server.Configuration.Model;
using Cairn.Server.Consensus;
using Cairn.Server.Logging;
using Cairn.Server.Membership;
using Cairn.Storage.Backend;
using Cairn.Storage.Snap;
using Cairn.Storage.Snap.V2Store;
using Cairn.Storage.Wal;
using Google.Protobuf;
using WalSnapshot = Cairn.Protocol.Walpb.Snapshot;

namespace Cairn.Server.Bootstrap;

/// <summary>
/// Brings a member's durable state up from its data dir as etcd's NewServer does: a new member of a
/// new cluster gets a fresh WAL and a raft log seeded with one conf change per initial member; a
/// restarting member loads its newest usable snapshot (v2 store, backend), its WAL after it, and
/// restarts raft from them. The files are etcd 3.4's, so either server can start on them.
/// </summary>
public static class MemberBootstrap
{
    /// <summary>etcd's maxSizePerMsg: 1 MiB of entries per append message.</summary>
    private const ulong MaxSizePerMsg = 1024 * 1024;

    /// <summary>etcd's maxInflightMsgs (4096 / 8).</summary>
    private const int MaxInflightMsgs = 4096 / 8;

    /// <exception cref="BootstrapException">The data dir cannot be used; the message says why.</exception>
    public static BootstrappedMember Start(ServerConfiguration config, ServerLogger log)
    {
        var server = log.ForPackage("etcdserver");
        DataDirectory.Prepare(config, log);
        bool haveWal = WriteAheadLog.Exists(config.WalDir);
        string backendPath = Path.Combine(config.SnapDir, "db");
        if (haveWal && !File.Exists(backendPath))
        {
            throw new BootstrapException($"database file ({backendPath}) of the backend is missing");
        }
        if (!haveWal && config.Cluster.State == InitialClusterState.Existing)
        {
            throw new BootstrapException(
                "--initial-cluster-state=existing needs a peer transport to join the cluster, which this server does not have yet");
        }

        var backend = OpenBackend(backendPath, config, server);
        try
        {
            return haveWal
                ? Restart(config, log, backend, backendPath)
                : StartNew(config, log, backend);
        }
        catch
        {
            backend.Dispose();
            throw;
        }
    }

    private static BootstrappedMember StartNew(ServerConfiguration config, ServerLogger log, EtcdBackend backend)
    {
        var members = config.Cluster.InitialCluster
            .Select(m => new Member(
                MemberIds.ComputeMemberId(m.PeerUrls.Select(u => u.ToString()), config.Cluster.Token),
                m.Name,
                [.. m.PeerUrls.Select(u => u.ToString()).Order(StringComparer.Ordinal)],
                [],
                IsLearner: false))
            .ToList();
        var local = members.FirstOrDefault(m => m.Name == config.Name)
            ?? throw new BootstrapException($"couldn't find local name \"{config.Name}\" in the initial cluster configuration");
        ulong clusterId = MemberIds.ComputeClusterId(members.Select(m => m.Id));

        var wal = WriteAheadLog.Create(config.WalDir, WalMetadata.Encode(local.Id, clusterId), WalOptionsFor(config));
        var storage = new MemoryRaftStorage();
        log.ForPackage("etcdserver").Info("starting local member",
            [new LogField("local-member-id", MemberIds.Format(local.Id)), new LogField("cluster-id", MemberIds.Format(clusterId))],
            capnslog: $"starting member {MemberIds.Format(local.Id)} in cluster {MemberIds.Format(clusterId)}");
        var peers = members
            .Select(m => new RaftPeer(m.Id, ByteString.CopyFrom(m.ToRecord().ToJson())))
            .ToList();
        var node = RaftNode.Start(RaftConfigFor(config, local.Id, storage, log), peers);
        return new BootstrappedMember(
            local.Id, clusterId, IsNew: true, node, storage, new RaftDisk(wal, Snapshotter(config)), backend,
            backend.BeginRead().Using(tx => tx.ConsistentIndex), V2Store.NewEtcdStore(), SnapshotIndex: 0, new ConfState(),
            new ClusterMembership(local.Id, clusterId, log));
    }

    private static BootstrappedMember Restart(ServerConfiguration config, ServerLogger log, EtcdBackend backend, string backendPath)
    {
        var server = log.ForPackage("etcdserver");
        var snapshotter = Snapshotter(config);
        var snapshot = LoadSnapshot(config, snapshotter);
        var v2Store = V2Store.NewEtcdStore();
        if (snapshot is not null)
        {
            v2Store = V2StoreJson.Parse(snapshot.Data.Span);
            server.Info("recovered v2 store from snapshot",
                [LogField.UInt("snapshot-index", snapshot.Metadata.Index), new LogField("snapshot-size", snapshot.Data.Length.ToString(System.Globalization.CultureInfo.InvariantCulture))],
                capnslog: $"recovered store from snapshot at index {snapshot.Metadata.Index}");
            backend = RecoverBackendFromSnapshot(config, backend, backendPath, snapshotter, snapshot, server);
        }

        var walSnapshot = snapshot is null
            ? new WalSnapshot { Index = 0, Term = 0 }
            : new WalSnapshot { Index = snapshot.Metadata.Index, Term = snapshot.Metadata.Term };
        string? repaired = null;
        var (wal, contents) = WriteAheadLog.Recover(config.WalDir, walSnapshot, repairTornTail: true, WalOptionsFor(config), repairing: path =>
        {
            repaired = path;
            log.ForPackage("wal").Notice("repairing", [new LogField("path", path)], capnslog: $"repairing {path}");
        });
        if (repaired is not null)
        {
            // A record torn by a crash or a full disk was cut off the end (the segment kept as .broken); it was
            // never acknowledged, since acknowledgement waits for the fsync the tear interrupted.
            log.ForPackage("wal").ZapInfo("repaired", [new LogField("path", repaired), LogField.Error("unexpected EOF")]);
            server.Info("repaired WAL", [LogField.Error("unexpected EOF")], capnslog: "repaired WAL error (unexpected EOF)");
        }
        try
        {
            var (memberId, clusterId) = WalMetadata.Decode(contents.Metadata);
            server.Info("restarting local member",
                [new LogField("cluster-id", MemberIds.Format(clusterId)), new LogField("local-member-id", MemberIds.Format(memberId)), LogField.UInt("commit-index", contents.State.Commit)],
                capnslog: $"restarting member {MemberIds.Format(memberId)} in cluster {MemberIds.Format(clusterId)} at commit index {contents.State.Commit}");
            var storage = new MemoryRaftStorage();
            if (snapshot is not null)
            {
                storage.ApplySnapshot(snapshot);
            }
            storage.SetHardState(contents.State);
            storage.Append(contents.Entries.ToArray());
            var node = new RaftNode(RaftConfigFor(config, memberId, storage, log));
            var membership = new ClusterMembership(memberId, clusterId, log);
            if (snapshot is not null)
            {
                membership.Recover(v2Store);
            }
            return new BootstrappedMember(
                memberId, clusterId, IsNew: false, node, storage, new RaftDisk(wal, snapshotter), backend,
                backend.BeginRead().Using(tx => tx.ConsistentIndex), v2Store, snapshot?.Metadata.Index ?? 0,
                snapshot?.Metadata.ConfState ?? new ConfState(), membership);
        }
        catch
        {
            wal.Dispose();
            throw;
        }
    }

    private static Snapshot? LoadSnapshot(ServerConfiguration config, Snapshotter snapshotter)
    {
        try
        {
            return snapshotter.LoadNewestAvailable(WalInspection.ValidSnapshotEntries(config.WalDir));
        }
        catch (SnapException e) when (e.Kind == SnapErrorKind.NoSnapshot)
        {
            return null;
        }
    }

    /// <summary>
    /// A backend older than the snapshot (its consistent index is behind) is replaced by the
    /// backend file that came with the snapshot, as etcd's recoverSnapshotBackend does.
    /// </summary>
    private static EtcdBackend RecoverBackendFromSnapshot(
        ServerConfiguration config, EtcdBackend backend, string backendPath, Snapshotter snapshotter, Snapshot snapshot, ServerLogger server)
    {
        ulong consistentIndex = backend.BeginRead().Using(tx => tx.ConsistentIndex);
        if (snapshot.Metadata.Index <= consistentIndex)
        {
            return backend;
        }
        backend.Dispose();
        snapshotter.InstallDb(snapshot.Metadata.Index, backendPath);
        var recovered = OpenBackend(backendPath, config, server);
        server.Info("recovered v3 backend from snapshot",
            [LogField.Int("backend-size-bytes", recovered.Size), LogField.Int("backend-size-in-use-bytes", recovered.SizeInUse)],
            capnslog: "recovered v3 backend from snapshot");
        return recovered;
    }

    private static EtcdBackend OpenBackend(string path, ServerConfiguration config, ServerLogger server)
    {
        var watch = Stopwatch.StartNew();
        var options = EtcdBackend.EtcdBoltOptions with { NoSync = config.Backend.UnsafeNoFsync };
        EtcdBackend backend;
        try
        {
            backend = EtcdBackend.Open(path, options);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BootstrapException($"failed to open backend db {path}: {e.Message}", e);
        }
        server.ZapInfo("opened backend db", [new LogField("path", path), LogField.Duration("took", watch.Elapsed)]);
        return backend;
    }

    private static Snapshotter Snapshotter(ServerConfiguration config) => new(config.SnapDir);

    private static WalOptions WalOptionsFor(ServerConfiguration config) =>
        WalOptions.Default with { UnsafeNoFsync = config.Backend.UnsafeNoFsync };

    private static RaftConfig RaftConfigFor(ServerConfiguration config, ulong id, MemoryRaftStorage storage, ServerLogger log) => new()
    {
        Id = id,
        ElectionTick = config.Raft.ElectionTicks,
        HeartbeatTick = 1,
        Storage = storage,
        MaxSizePerMsg = MaxSizePerMsg,
        MaxInflightMsgs = MaxInflightMsgs,
        CheckQuorum = true,
        PreVote = config.Raft.PreVote,
        RandomSeed = (ulong)Random.Shared.NextInt64(),
        Logger = new RaftLogAdapter(log),
    };

    private static T Using<T>(this BackendReadTransaction tx, Func<BackendReadTransaction, T> read)
    {
        using (tx)
        {
            return read(tx);
        }
    }
}
