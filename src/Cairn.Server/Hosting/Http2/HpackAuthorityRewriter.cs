using System.Text;

namespace Cairn.Server.Hosting.Http2;

/// <summary>
/// Finds, in an HPACK header block, a literal <c>:authority</c> that Kestrel would refuse, and
/// rewrites it into one it accepts. grpc-go sends the dial target as the authority, and etcd's
/// clientv3 dials single endpoints as <c>passthrough:///http://host:port</c>, so etcdctl's
/// <c>endpoint status</c>, <c>defrag</c> and <c>move-leader</c> arrive with
/// <c>:authority: http://host:port</c>; grpc-go servers ignore it, Kestrel resets the stream.
/// <para>
/// The block is parsed without the HPACK dynamic table (strings carry their lengths), and the
/// new value has the same number of octets as the old one, so the entry a literal with
/// incremental indexing adds has the same size on both sides and the client's and Kestrel's
/// dynamic tables stay in step. <c>http://127.0.0.1:2379</c> becomes
/// <c>127.0.0.1:00000002379</c>: the same host and port.
/// </para>
/// </summary>
internal static class HpackAuthorityRewriter
{
    private const int AuthorityStaticIndex = 1;
    private const string AuthorityName = ":authority";

    /// <summary>
    /// The repaired block, or null when nothing needs repair (or the block is malformed, which
    /// Kestrel will report itself).
    /// </summary>
    public static byte[]? TryRewrite(ReadOnlySpan<byte> block)
    {
        List<(int Start, int End, string Value)>? edits = null;
        var pos = 0;
        while (pos < block.Length)
        {
            var first = block[pos];
            int prefixBits;
            if ((first & 0x80) != 0)
            {
                if (!TryReadInteger(block, ref pos, 7, out _))
                {
                    return null;
                }
                continue;
            }
            if ((first & 0xC0) == 0x40)
            {
                prefixBits = 6;
            }
            else if ((first & 0xE0) == 0x20)
            {
                if (!TryReadInteger(block, ref pos, 5, out _))
                {
                    return null;
                }
                continue;
            }
            else
            {
                prefixBits = 4;
            }
            if (!TryReadInteger(block, ref pos, prefixBits, out var nameIndex))
            {
                return null;
            }
            var isAuthority = nameIndex == AuthorityStaticIndex;
            if (nameIndex == 0)
            {
                if (!TryReadString(block, ref pos, out var name))
                {
                    return null;
                }
                isAuthority = name == AuthorityName;
            }
            var valueStart = pos;
            if (!isAuthority)
            {
                if (!TrySkipString(block, ref pos))
                {
                    return null;
                }
                continue;
            }
            if (!TryReadOctets(block, ref pos, out var octets))
            {
                return null;
            }
            // The usual authority is fine and raw-coded: checked in place, nothing allocated.
            if (!IsPlainHostPort(octets) && Repair(Encoding.Latin1.GetString(octets)) is { } repaired)
            {
                (edits ??= []).Add((valueStart, pos, repaired));
            }
        }
        return edits is null ? null : Apply(block, edits);
    }

    /// <summary>
    /// A same-length authority Kestrel accepts, or null if <paramref name="value"/> is fine.
    /// Conservative: anything outside a plain host[:port] is repaired.
    /// </summary>
    internal static string? Repair(string value)
    {
        if (IsPlainHostPort(value))
        {
            return null;
        }
        var schemeEnd = value.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd > 0 && value[..schemeEnd].All(char.IsAsciiLetter))
        {
            var rest = value[(schemeEnd + 3)..];
            var removed = schemeEnd + 3;
            if (rest.Length > 0 && IsPlainHostPort(rest))
            {
                var colon = PortColon(rest);
                return colon < 0
                    ? rest + ":" + new string('0', removed - 1)
                    : rest[..(colon + 1)] + new string('0', removed) + rest[(colon + 1)..];
            }
        }
        var builder = new StringBuilder(value.Length);
        foreach (var c in value)
        {
            builder.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' ? c : '-');
        }
        return builder.ToString();
    }

    private static bool IsPlainHostPort(string value) => IsPlainHostPort(Encoding.Latin1.GetBytes(value));

    private static bool IsPlainHostPort(ReadOnlySpan<byte> value)
    {
        if (value.IsEmpty)
        {
            return true;
        }
        var host = value;
        var colon = PortColon(value);
        if (colon >= 0)
        {
            var port = value[(colon + 1)..];
            if (port.IsEmpty || port.ContainsAnyExceptInRange((byte)'0', (byte)'9'))
            {
                return false;
            }
            host = value[..colon];
        }
        if (host.Length > 0 && host[0] == '[')
        {
            if (host.Length <= 2 || host[^1] != ']')
            {
                return false;
            }
            foreach (var c in host[1..^1])
            {
                if (!char.IsAsciiHexDigit((char)c) && c is not (byte)':' and not (byte)'.')
                {
                    return false;
                }
            }
            return true;
        }
        if (host.IsEmpty)
        {
            return false;
        }
        foreach (var c in host)
        {
            if (!char.IsAsciiLetterOrDigit((char)c) && c is not (byte)'.' and not (byte)'-' and not (byte)'_' and not (byte)'~')
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>The ':' before a port: after the ']' of an IPv6 literal, else the last one.</summary>
    private static int PortColon(string value) => PortColon(Encoding.Latin1.GetBytes(value));

    private static int PortColon(ReadOnlySpan<byte> value)
    {
        var bracket = value.LastIndexOf((byte)']');
        var colon = value.LastIndexOf((byte)':');
        return colon > bracket ? colon : -1;
    }

    private static byte[] Apply(ReadOnlySpan<byte> block, List<(int Start, int End, string Value)> edits)
    {
        var output = new List<byte>(block.Length + 16);
        var copied = 0;
        foreach (var (start, end, value) in edits)
        {
            output.AddRange(block[copied..start]);
            var octets = Encoding.Latin1.GetBytes(value);
            WriteInteger(output, 0x00, 7, octets.Length);
            output.AddRange(octets);
            copied = end;
        }
        output.AddRange(block[copied..]);
        return output.ToArray();
    }

    /// <summary>A string's octets: in place when raw, decoded into a new array when Huffman-coded.</summary>
    private static bool TryReadOctets(ReadOnlySpan<byte> block, ref int pos, out ReadOnlySpan<byte> octets)
    {
        octets = default;
        if (pos >= block.Length)
        {
            return false;
        }
        var huffman = (block[pos] & 0x80) != 0;
        if (!TryReadInteger(block, ref pos, 7, out var length) || length > block.Length - pos)
        {
            return false;
        }
        var raw = block.Slice(pos, length);
        pos += length;
        if (!huffman)
        {
            octets = raw;
            return true;
        }
        var decoded = new List<byte>(length * 8 / 5);
        if (!HpackHuffman.TryDecode(raw, decoded))
        {
            return false;
        }
        octets = decoded.ToArray();
        return true;
    }

    private static bool TrySkipString(ReadOnlySpan<byte> block, ref int pos)
    {
        if (!TryReadInteger(block, ref pos, 7, out var length) || length > block.Length - pos)
        {
            return false;
        }
        pos += length;
        return true;
    }

    private static bool TryReadString(ReadOnlySpan<byte> block, ref int pos, out string value)
    {
        value = "";
        if (!TryReadOctets(block, ref pos, out var octets))
        {
            return false;
        }
        value = Encoding.Latin1.GetString(octets);
        return true;
    }

    /// <summary>An HPACK integer with an N-bit prefix (RFC 7541 section 5.1), at most 2^28.</summary>
    internal static bool TryReadInteger(ReadOnlySpan<byte> block, ref int pos, int prefixBits, out int value)
    {
        value = 0;
        if (pos >= block.Length)
        {
            return false;
        }
        var mask = (1 << prefixBits) - 1;
        value = block[pos++] & mask;
        if (value < mask)
        {
            return true;
        }
        for (var shift = 0; shift <= 21; shift += 7)
        {
            if (pos >= block.Length)
            {
                return false;
            }
            var octet = block[pos++];
            value += (octet & 0x7F) << shift;
            if ((octet & 0x80) == 0)
            {
                return true;
            }
        }
        return false;
    }

    internal static void WriteInteger(List<byte> output, byte firstBits, int prefixBits, int value)
    {
        var mask = (1 << prefixBits) - 1;
        if (value < mask)
        {
            output.Add((byte)(firstBits | value));
            return;
        }
        output.Add((byte)(firstBits | mask));
        value -= mask;
        while (value >= 0x80)
        {
            output.Add((byte)((value & 0x7F) | 0x80));
            value >>= 7;
        }
        output.Add((byte)value);
    }
}
