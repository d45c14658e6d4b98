using Cairn.Protocol.Etcdserverpb;
using Google.Protobuf;

namespace Cairn.Storage.Wal;

/// <summary>
/// The metadata etcd's server records at the head of every WAL segment:
/// <c>etcdserverpb.Metadata{NodeID, ClusterID}</c>, both fields always written (gogo non-nullable),
/// so that Cairn's WAL header is etcd's byte for byte.
/// </summary>
public static class WalMetadata
{
    public static byte[] Encode(ulong nodeId, ulong clusterId) =>
        new Metadata { NodeID = nodeId, ClusterID = clusterId }.ToByteArray();

    /// <summary>Reads the member and cluster ids; a WAL created without metadata reads as zeros.</summary>
    public static (ulong NodeId, ulong ClusterId) Decode(byte[]? metadata)
    {
        if (metadata is null)
        {
            return (0, 0);
        }
        try
        {
            var parsed = Metadata.Parser.ParseFrom(metadata);
            return (parsed.NodeID, parsed.ClusterID);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new WalException(WalErrorKind.Corrupt, detail: $"WAL metadata is not etcdserverpb.Metadata: {e.Message}");
        }
    }
}
