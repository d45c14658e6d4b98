using Cairn.Protocol.Raftpb;
using Cairn.Raft;
using Cairn.Raft.Storage;
using Cairn.Server.Consensus;
using Cairn.Server.Membership;
using Cairn.Storage.Backend;
using Cairn.Storage.Snap.V2Store;

namespace Cairn.Server.Bootstrap;

/// <summary>A member's state as loaded from (or created in) its data dir, ready to be served.</summary>
/// <param name="ConsistentIndex">The last entry the backend has applied (committed).</param>
/// <param name="SnapshotIndex">The raft snapshot the member starts from, 0 for none.</param>
/// <param name="ConfState">The configuration at the snapshot.</param>
public sealed record BootstrappedMember(
    ulong MemberId,
    ulong ClusterId,
    bool IsNew,
    RaftNode Node,
    MemoryRaftStorage RaftStorage,
    RaftDisk Disk,
    EtcdBackend Backend,
    ulong ConsistentIndex,
    V2Store V2Store,
    ulong SnapshotIndex,
    ConfState ConfState,
    ClusterMembership Membership);
