using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Cairn.Server.Membership;

/// <summary>
/// etcd's identifiers: a member's ID is the first 8 bytes (big-endian) of SHA-1 over its sorted
/// peer URLs, the cluster token and, for members added at runtime, the time; the cluster's ID is
/// the same over its members' IDs. Computing them as etcd does is what lets a cairn member and an
/// etcd member agree on who is who.
/// </summary>
public static class MemberIds
{
    public static ulong ComputeMemberId(IEnumerable<string> peerUrls, string clusterToken, DateTimeOffset? now = null)
    {
        var text = new StringBuilder();
        foreach (var url in peerUrls.Order(StringComparer.Ordinal))
        {
            text.Append(url);
        }
        text.Append(clusterToken);
        if (now is { } time)
        {
            text.Append(time.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
        }
        return First8Bytes(SHA1.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    public static ulong ComputeClusterId(IEnumerable<ulong> memberIds)
    {
        var ids = memberIds.Order().ToArray();
        var bytes = new byte[8 * ids.Length];
        for (int i = 0; i < ids.Length; i++)
        {
            BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(8 * i), ids[i]);
        }
        return First8Bytes(SHA1.HashData(bytes));
    }

    /// <summary>etcd's types.ID.String(): lower-case hex.</summary>
    public static string Format(ulong id) => id.ToString("x", CultureInfo.InvariantCulture);

    private static ulong First8Bytes(ReadOnlySpan<byte> hash) => BinaryPrimitives.ReadUInt64BigEndian(hash);
}
