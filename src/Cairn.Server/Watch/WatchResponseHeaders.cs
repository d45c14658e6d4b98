using Cairn.Protocol.Etcdserverpb;
using Google.Protobuf;

namespace Cairn.Server.Watch;

/// <summary>The header etcd puts on every watch response: cluster, member, revision and the current raft term.</summary>
public sealed class WatchResponseHeaders(ulong clusterId, ulong memberId, Func<ulong> raftTerm)
{
    /// <summary>The encoded <c>ResponseHeader</c> at <paramref name="revision"/>.</summary>
    public ByteString Encode(long revision) => new ResponseHeader
    {
        ClusterId = clusterId,
        MemberId = memberId,
        Revision = revision,
        RaftTerm = raftTerm(),
    }.ToByteString();
}
