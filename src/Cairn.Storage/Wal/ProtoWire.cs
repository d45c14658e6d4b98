namespace Cairn.Storage.Wal;

/// <summary>
/// The little of the protobuf wire format the WAL's hot path writes and reads by hand, so that
/// records are laid out exactly as etcd's gogo-generated code lays them out (every non-nullable
/// field written, zero or not) without a message object per record.
/// </summary>
internal static class ProtoWire
{
    public const int WireVarint = 0;
    public const int WireFixed64 = 1;
    public const int WireBytes = 2;
    public const int WireFixed32 = 5;

    public static int VarintSize(ulong value)
    {
        int n = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            n++;
        }
        return n;
    }

    public static int WriteVarint(Span<byte> destination, ulong value)
    {
        int i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }
        destination[i++] = (byte)value;
        return i;
    }

    /// <summary>Reads a varint at <paramref name="position"/>; false if it runs past the end or over 10 bytes.</summary>
    public static bool TryReadVarint(ReadOnlySpan<byte> source, ref int position, out ulong value)
    {
        value = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if (position >= source.Length)
            {
                return false;
            }
            byte b = source[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Skips a field of an unknown number; false for groups and truncated input.</summary>
    public static bool TrySkip(ReadOnlySpan<byte> source, ref int position, int wireType)
    {
        switch (wireType)
        {
            case WireVarint:
                return TryReadVarint(source, ref position, out _);
            case WireFixed64:
                position += 8;
                return position <= source.Length;
            case WireFixed32:
                position += 4;
                return position <= source.Length;
            case WireBytes:
                if (!TryReadVarint(source, ref position, out ulong length) || length > (ulong)(source.Length - position))
                {
                    return false;
                }
                position += (int)length;
                return true;
            default:
                return false;
        }
    }
}
