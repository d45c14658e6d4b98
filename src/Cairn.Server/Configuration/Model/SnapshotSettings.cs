namespace Cairn.Server.Configuration.Model;

/// <summary>Raft snapshot frequency and file retention.</summary>
/// <param name="SnapshotCount">--snapshot-count: applied entries between raft snapshots.</param>
/// <param name="MaxSnapshotFiles">--max-snapshots: snap files to keep (0: keep all).</param>
/// <param name="MaxWalFiles">--max-wals: WAL files to keep (0: keep all).</param>
public sealed record SnapshotSettings(ulong SnapshotCount, ulong MaxSnapshotFiles, ulong MaxWalFiles)
{
    /// <summary>Entries kept behind a snapshot for slow followers (etcd's DefaultSnapshotCatchUpEntries; not a flag).</summary>
    public ulong SnapshotCatchUpEntries { get; init; } = EtcdDefaults.SnapshotCatchUpEntries;
}
