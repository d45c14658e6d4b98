using Cairn.Server.Logging;

namespace Cairn.Server.Configuration.Model;

/// <summary>
/// Everything the server needs from etcd's flags, environment and config file, resolved, typed and checked as etcd
/// 3.4 checks it at start. Immutable. Values etcd treats as "0 means the default" keep etcd's raw value (the server
/// logs them as etcd does) and offer the effective value beside it.
/// </summary>
public sealed record ServerConfiguration
{
    /// <summary>--name: this member's human-readable name.</summary>
    public required string Name { get; init; }

    /// <summary>--data-dir, with etcd's default "${name}.etcd" applied; may be relative to the working directory.</summary>
    public required string DataDir { get; init; }

    /// <summary>--wal-dir: a dedicated WAL directory, or null when the WAL lives in the member directory.</summary>
    public string? DedicatedWalDir { get; init; }

    /// <summary>"&lt;data-dir&gt;/member".</summary>
    public string MemberDir => Path.Combine(DataDir, "member");

    /// <summary>The WAL directory: --wal-dir, or "&lt;data-dir&gt;/member/wal".</summary>
    public string WalDir => DedicatedWalDir ?? Path.Combine(MemberDir, "wal");

    /// <summary>"&lt;data-dir&gt;/member/snap": raft snapshots and the backend (db).</summary>
    public string SnapDir => Path.Combine(MemberDir, "snap");

    public required SnapshotSettings Snapshots { get; init; }

    public required RaftSettings Raft { get; init; }

    public required BackendSettings Backend { get; init; }

    public required RequestLimits Requests { get; init; }

    public required MemberUrls Urls { get; init; }

    public required ClusterBootstrap Cluster { get; init; }

    public required AutoCompaction Compaction { get; init; }

    public required SecuritySettings Security { get; init; }

    public required AuthSettings Auth { get; init; }

    public required FeatureSettings Features { get; init; }

    public required ProxySettings Proxy { get; init; }

    /// <summary>How the server's logger writes (also used by the executable to build it).</summary>
    public required LoggerOptions Logging { get; init; }

    /// <summary>The config file the settings came from, or null when they came from flags and the environment.</summary>
    public string? ConfigFile { get; init; }
}
