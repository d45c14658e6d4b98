using System.Text;

namespace Cairn.Bench.Http2;

/// <summary>
/// Request header blocks made only of HPACK literals without indexing and with new names: the
/// server's decoder table never changes, so a block built once can be sent on any stream, in any
/// order, for the life of the connection.
/// </summary>
internal static class HpackLiterals
{
    /// <summary>A gRPC call's request headers (cleartext); <paramref name="timeout"/> is a <c>grpc-timeout</c> value.</summary>
    public static byte[] GrpcRequest(string path, string authority, string? timeout = null)
    {
        var block = new List<byte>();
        Add(block, ":method", "POST");
        Add(block, ":scheme", "http");
        Add(block, ":path", path);
        Add(block, ":authority", authority);
        Add(block, "content-type", "application/grpc");
        Add(block, "te", "trailers");
        if (timeout is not null)
        {
            Add(block, "grpc-timeout", timeout);
        }
        return [.. block];
    }

    private static void Add(List<byte> block, string name, string value)
    {
        block.Add(0x00);
        AddString(block, name);
        AddString(block, value);
    }

    /// <summary>A string literal without Huffman coding: its length as a 7-bit-prefix integer, then its octets.</summary>
    private static void AddString(List<byte> block, string text)
    {
        var octets = Encoding.ASCII.GetBytes(text);
        var length = octets.Length;
        if (length < 0x7F)
        {
            block.Add((byte)length);
        }
        else
        {
            block.Add(0x7F);
            for (length -= 0x7F; length >= 0x80; length >>= 7)
            {
                block.Add((byte)(length | 0x80));
            }
            block.Add((byte)length);
        }
        block.AddRange(octets);
    }
}
