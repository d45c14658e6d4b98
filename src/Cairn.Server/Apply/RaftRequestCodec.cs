using Cairn.Protocol.Etcdserverpb;
using Google.Protobuf;

namespace Cairn.Server.Apply;

/// <summary>
/// The payload of a normal raft entry as etcd 3.4 writes it: an InternalRaftRequest, or a bare v2
/// Request (what 3.4 still proposes for member attributes and the cluster version). Like etcd, try
/// the first and fall back to the second when it does not parse.
/// </summary>
public static class RaftRequestCodec
{
    public readonly record struct Decoded(InternalRaftRequest? Internal, Request? V2);

    public static Decoded Decode(ByteString data)
    {
        InternalRaftRequest? request = null;
        try
        {
            request = InternalRaftRequest.Parser.ParseFrom(data);
        }
        catch (InvalidProtocolBufferException)
        {
        }
        if (request is not null)
        {
            return request.V2 is { } wrapped ? new Decoded(null, wrapped) : new Decoded(request, null);
        }
        return new Decoded(null, Request.Parser.ParseFrom(data));
    }

    public static ByteString Encode(InternalRaftRequest request) => request.ToByteString();

    /// <summary>A bare v2 request, byte for byte as etcd 3.4 proposes it.</summary>
    public static ByteString Encode(Request request) => request.ToByteString();
}
