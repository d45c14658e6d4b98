using Google.Protobuf;

namespace Cairn.Raft;

/// <summary>
/// A member of a cluster being bootstrapped. Context travels in the ConfChange entry that adds the
/// member (etcd puts the member's JSON there).
/// </summary>
public readonly record struct RaftPeer(ulong Id, ByteString? Context = null);
