using Cairn.Server.Configuration;
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
        // etcd takes --initial-cluster and its token only to bootstrap; a member already initialized shows them empty.
        var initialCluster = initialized ? "" : InitialClusterText(config.Cluster);
        if (logger.Format == LogFormatKind.Zap)
        {
            var osArch = CairnVersion.OsArch.Split('/');
            embed.Info("starting an etcd server",
            [
                new LogField("etcd-version", CairnVersion.EtcdVersion),
                new LogField("cairn-version", CairnVersion.Cairn),
                new LogField("git-sha", CairnVersion.GitSha),
                new LogField("dotnet-version", Environment.Version.ToString()),
                new LogField("go-os", osArch[0]),
                new LogField("go-arch", osArch[1]),
                LogField.Int("max-cpu-set", Environment.ProcessorCount),
                LogField.Int("max-cpu-available", Environment.ProcessorCount),
                LogField.Boolean("member-initialized", initialized),
                new LogField("name", config.Name),
                new LogField("data-dir", config.DataDir),
                new LogField("wal-dir", config.DedicatedWalDir ?? ""),
                new LogField("wal-dir-dedicated", config.DedicatedWalDir ?? ""),
                new LogField("member-dir", config.MemberDir),
                LogField.Boolean("force-new-cluster", config.Cluster.ForceNewCluster),
                new LogField("heartbeat-interval", GoDurationText.Format(config.Raft.HeartbeatInterval)),
                new LogField("election-timeout", GoDurationText.Format(config.Raft.ElectionTimeout)),
                LogField.Boolean("initial-election-tick-advance", config.Raft.InitialElectionTickAdvance),
                LogField.UInt("snapshot-count", config.Snapshots.SnapshotCount),
                LogField.UInt("max-wals", config.Snapshots.MaxWalFiles),
                LogField.UInt("max-snapshots", config.Snapshots.MaxSnapshotFiles),
                LogField.UInt("snapshot-catchup-entries", config.Snapshots.SnapshotCatchUpEntries),
                LogField.Strings("initial-advertise-peer-urls", config.Urls.AdvertisePeer.Select(u => u.ToString())),
                LogField.Strings("listen-peer-urls", config.Urls.ListenPeer.Select(u => u.ToString())),
                LogField.Strings("advertise-client-urls", config.Urls.AdvertiseClient.Select(u => u.ToString())),
                LogField.Strings("listen-client-urls", config.Urls.ListenClient.Select(u => u.ToString())),
                LogField.Strings("listen-metrics-urls", config.Urls.ListenMetrics.Select(u => u.ToString())),
                LogField.Strings("cors", config.Security.Cors),
                LogField.Strings("host-whitelist", config.Security.HostWhitelist.Order(StringComparer.Ordinal)),
                new LogField("initial-cluster", initialCluster),
                new LogField("initial-cluster-state", config.Cluster.State == InitialClusterState.New ? "new" : "existing"),
                new LogField("initial-cluster-token", initialized ? "" : config.Cluster.Token),
                LogField.Int("quota-backend-bytes", config.Backend.QuotaBytes == 0 ? EtcdDefaults.QuotaBackendBytes : config.Backend.QuotaBytes),
                LogField.UInt("max-request-bytes", config.Requests.MaxRequestBytes),
                LogField.UInt("max-concurrent-streams", config.Requests.MaxConcurrentStreams),
                LogField.Boolean("pre-vote", config.Raft.PreVote),
                LogField.Boolean("initial-corrupt-check", config.Features.InitialCorruptCheck),
                new LogField("corrupt-check-time-interval", GoDurationText.Format(config.Features.CorruptCheckTime)),
                new LogField("auto-compaction-mode", config.Compaction.ModeText),
                new LogField("auto-compaction-retention", GoDurationText.Format(config.Compaction.RetentionNanoseconds)),
                new LogField("auto-compaction-interval", GoDurationText.Format(config.Compaction.RetentionNanoseconds)),
                new LogField("discovery-url", config.Cluster.Discovery),
                new LogField("discovery-proxy", config.Cluster.DiscoveryProxy),
                LogField.UInt("max-txn-ops", config.Requests.MaxTxnOps),
                new LogField("backend-batch-interval", GoDurationText.Format(config.Backend.EffectiveBatchInterval)),
                LogField.Int("backend-batch-limit", config.Backend.EffectiveBatchLimit),
            ]);
            return;
        }
        embed.Info("", capnslog: $"name = {config.Name}");
        if (config.Cluster.ForceNewCluster)
        {
            embed.Info("", capnslog: "force new cluster");
        }
        embed.Info("", capnslog: $"data dir = {config.DataDir}");
        embed.Info("", capnslog: $"member dir = {config.MemberDir}");
        if (config.DedicatedWalDir is { } wal)
        {
            embed.Info("", capnslog: $"dedicated WAL dir = {wal}");
        }
        embed.Info("", capnslog: $"heartbeat = {(long)config.Raft.HeartbeatInterval.TotalMilliseconds}ms");
        embed.Info("", capnslog: $"election = {(long)config.Raft.ElectionTimeout.TotalMilliseconds}ms");
        embed.Info("", capnslog: $"snapshot count = {config.Snapshots.SnapshotCount}");
        if (config.Cluster.Discovery.Length != 0)
        {
            embed.Info("", capnslog: $"discovery URL= {config.Cluster.Discovery}");
            if (config.Cluster.DiscoveryProxy.Length != 0)
            {
                embed.Info("", capnslog: $"discovery proxy = {config.Cluster.DiscoveryProxy}");
            }
        }
        embed.Info("", capnslog: $"advertise client URLs = {string.Join(",", config.Urls.AdvertiseClient)}");
        // etcd 3.4 prints these two for a member that is already initialized, not for a new one (its condition is
        // the reverse of what the lines suggest); harnesses that read them see the same.
        if (initialized)
        {
            embed.Info("", capnslog: $"initial advertise peer URLs = {string.Join(",", config.Urls.AdvertisePeer)}");
            embed.Info("", capnslog: $"initial cluster = {initialCluster}");
        }
    }

    /// <summary>Go's URLsMap.String(): every "name=url" pair, sorted as strings, comma-joined.</summary>
    private static string InitialClusterText(ClusterBootstrap cluster) =>
        string.Join(",", cluster.InitialCluster.SelectMany(m => m.PeerUrls.Select(u => $"{m.Name}={u}")).Order(StringComparer.Ordinal));
}
