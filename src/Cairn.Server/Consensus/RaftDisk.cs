using Cairn.Protocol.Raftpb;
using Cairn.Storage.Snap;
using Cairn.Storage.Wal;
using WalSnapshot = Cairn.Protocol.Walpb.Snapshot;

namespace Cairn.Server.Consensus;

/// <summary>
/// Where raft state becomes durable (etcd's etcdserver/storage.go): entries and hard state in the
/// WAL, snapshots as snap files plus a WAL snapshot record. The raft loop is its only user.
/// </summary>
public sealed class RaftDisk : IDisposable
{
    public RaftDisk(WriteAheadLog wal, Snapshotter snapshotter)
    {
        Wal = wal;
        Snapshotter = snapshotter;
    }

    public WriteAheadLog Wal { get; }

    public Snapshotter Snapshotter { get; }

    /// <summary>Appends entries and the hard state; one fdatasync when raft requires it.</summary>
    public void Save(HardState? state, IReadOnlyList<Entry> entries) => Wal.Save(state, entries);

    /// <summary>
    /// Saves the snap file before the WAL snapshot record, so the WAL never names a snapshot that
    /// is not on disk (an orphaned snap file is harmless).
    /// </summary>
    public void SaveSnapshot(Snapshot snapshot)
    {
        Snapshotter.SaveSnap(snapshot);
        Wal.SaveSnapshot(new WalSnapshot { Index = snapshot.Metadata.Index, Term = snapshot.Metadata.Term });
    }

    /// <summary>Lets go of WAL segments and received backend files that the snapshot makes unnecessary.</summary>
    public void Release(Snapshot snapshot)
    {
        Wal.ReleaseLockTo(snapshot.Metadata.Index);
        Snapshotter.ReleaseSnapDbs(snapshot.Metadata.Index);
    }

    public void Dispose() => Wal.Dispose();
}
