namespace Cairn.Storage.Wal;

/// <summary>The <c>walpb.Record.type</c> values etcd writes.</summary>
public enum WalRecordType : long
{
    /// <summary>Opaque metadata given at creation (etcd: <c>etcdserverpb.Metadata{NodeID, ClusterID}</c>), repeated at the head of every segment.</summary>
    Metadata = 1,

    /// <summary>A <c>raftpb.Entry</c>.</summary>
    Entry = 2,

    /// <summary>A <c>raftpb.HardState</c>.</summary>
    State = 3,

    /// <summary>Carries the running CRC into a new segment; first record of every segment.</summary>
    Crc = 4,

    /// <summary>A <c>walpb.Snapshot{index, term}</c>: a point the log can be opened at.</summary>
    Snapshot = 5,
}
