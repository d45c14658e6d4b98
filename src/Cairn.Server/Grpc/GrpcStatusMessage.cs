using System.Text;

namespace Cairn.Server.Grpc;

/// <summary>
/// The <c>grpc-message</c> encoding: UTF-8, with every byte outside printable ASCII and every
/// '%' written as %XX. Decoding is lenient, as grpc-go's is: a '%' not followed by two hex
/// digits stays as it is.
/// </summary>
public static class GrpcStatusMessage
{
    public static string Encode(string message)
    {
        if (!NeedsEncoding(message))
        {
            return message;
        }
        var utf8 = Encoding.UTF8.GetBytes(message);
        var builder = new StringBuilder(utf8.Length * 3);
        foreach (var b in utf8)
        {
            if (b >= 0x20 && b <= 0x7E && b != '%')
            {
                builder.Append((char)b);
            }
            else
            {
                builder.Append('%').Append(HexDigit(b >> 4)).Append(HexDigit(b & 0xF));
            }
        }
        return builder.ToString();
    }

    public static string Decode(string wire)
    {
        if (!wire.Contains('%'))
        {
            return wire;
        }
        var bytes = new List<byte>(wire.Length);
        for (var i = 0; i < wire.Length; i++)
        {
            var c = wire[i];
            if (c == '%' && i + 2 < wire.Length && TryHex(wire[i + 1], out var high) && TryHex(wire[i + 2], out var low))
            {
                bytes.Add((byte)((high << 4) | low));
                i += 2;
            }
            else if (c < 0x80)
            {
                bytes.Add((byte)c);
            }
            else
            {
                var length = char.IsHighSurrogate(c) && i + 1 < wire.Length ? 2 : 1;
                bytes.AddRange(Encoding.UTF8.GetBytes(wire.Substring(i, length)));
                i += length - 1;
            }
        }
        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    private static bool NeedsEncoding(string message)
    {
        foreach (var c in message)
        {
            if (c < 0x20 || c > 0x7E || c == '%')
            {
                return true;
            }
        }
        return false;
    }

    private static char HexDigit(int value) => (char)(value < 10 ? '0' + value : 'A' + value - 10);

    private static bool TryHex(char c, out int value)
    {
        value = c switch
        {
            >= '0' and <= '9' => c - '0',
            >= 'a' and <= 'f' => c - 'a' + 10,
            >= 'A' and <= 'F' => c - 'A' + 10,
            _ => -1,
        };
        return value >= 0;
    }
}
