using Cairn.Server.Configuration.Model;
using Cairn.Server.Logging;

namespace Cairn.Server.Lifecycle;

/// <summary>
/// The lines etcd prints as it starts a server, in its wording, so that operators and harnesses
/// that read etcd's log find the same facts: zap's one "starting an etcd server" line with every
/// setting, or capnslog's "name = …" lines.
/// </summary>
internal static class StartupLog
{
    public static void Write(ServerConfiguration config, ServerLogger logger)
    {
        var embed = logger.ForPackage("embed");
        bool initialized = Storage.Wal.WriteAheadLog.Exists(config.WalDir);
        if (logger.Format == LogFormatKind.Zap)
        {
            embed.Info("starting an etcd server",
            [
                new LogField("etcd-version", CairnVersion.EtcdVersion),
                new LogField("cairn-version", CairnVersion.Cairn),
                LogField.Int("max-cpu-set", Environment.ProcessorCount),
                LogField.Int("max-cpu-available", Environment.ProcessorCount),
                LogField.Boolean("member-initialized", initialized),
                new LogField("name", config.Name),
                new LogField("data-dir", config.DataDir),
                new LogField("wal-dir", config.DedicatedWalDir ?? ""),
                new LogField("member-dir", config.MemberDir),
                LogField.Boolean("force-new-cluster", config.Cluster.ForceNewCluster),
                new LogField("heartbeat-interval", GoDurationText.Format(config.Raft.HeartbeatInterval)),
                new LogField("election-timeout", GoDurationText.Format(config.Raft.ElectionTimeout)),
                LogField.Boolean("initial-election-tick-advance", config.Raft.InitialElectionTickAdvance),
                LogField.UInt("snapshot-count", config.Snapshots.SnapshotCount),
                LogField.UInt("snapshot-catchup-entries", config.Snapshots.SnapshotCatchUpEntries),
                LogField.Strings("initial-advertise-peer-urls", config.Urls.AdvertisePeer.Select(u => u.ToString())),
                LogField.Strings("listen-peer-urls", config.Urls.ListenPeer.Select(u => u.ToString())),
                LogField.Strings("advertise-client-urls", config.Urls.AdvertiseClient.Select(u => u.ToString())),
                LogField.Strings("listen-client-urls", config.Urls.ListenClient.Select(u => u.ToString())),
                LogField.Strings("listen-metrics-urls", config.Urls.ListenMetrics.Select(u => u.ToString())),
                new LogField("initial-cluster", initialized ? "" : config.Cluster.InitialClusterText),
                new LogField("initial-cluster-state", config.Cluster.State == InitialClusterState.New ? "new" : "existing"),
                new LogField("initial-cluster-token", initialized ? "" : config.Cluster.Token),
                LogField.Boolean("pre-vote", config.Raft.PreVote),
                LogField.UInt("max-request-bytes", config.Requests.MaxRequestBytes),
                LogField.UInt("max-txn-ops", config.Requests.MaxTxnOps),
                new LogField("backend-batch-interval", GoDurationText.Format(config.Backend.EffectiveBatchInterval)),
                LogField.Int("backend-batch-limit", config.Backend.EffectiveBatchLimit),
            ]);
            return;
        }
        embed.Info("", capnslog: $"name = {config.Name}");
        embed.Info("", capnslog: $"data dir = {config.DataDir}");
        embed.Info("", capnslog: $"member dir = {config.MemberDir}");
        if (config.DedicatedWalDir is { } wal)
        {
            embed.Info("", capnslog: $"dedicated WAL dir = {wal}");
        }
        embed.Info("", capnslog: $"heartbeat = {(long)config.Raft.HeartbeatInterval.TotalMilliseconds}ms");
        embed.Info("", capnslog: $"election = {(long)config.Raft.ElectionTimeout.TotalMilliseconds}ms");
        embed.Info("", capnslog: $"snapshot count = {config.Snapshots.SnapshotCount}");
        embed.Info("", capnslog: $"advertise client URLs = {string.Join(",", config.Urls.AdvertiseClient)}");
        if (!initialized)
        {
            embed.Info("", capnslog: $"initial advertise peer URLs = {string.Join(",", config.Urls.AdvertisePeer)}");
            embed.Info("", capnslog: $"initial cluster = {config.Cluster.InitialClusterText}");
        }
    }
}
