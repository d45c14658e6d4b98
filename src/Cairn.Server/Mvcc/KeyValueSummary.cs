namespace Cairn.Server.Mvcc;

/// <summary>
/// The fields of a stored <c>mvccpb.KeyValue</c> the index needs (all but the value), read
/// straight from the record bytes. Rebuilding the index at start reads every record; parsing
/// the full message would copy every value for nothing.
/// </summary>
internal readonly ref struct KeyValueSummary
{
    public ReadOnlySpan<byte> Key { get; init; }

    public long CreateRevision { get; init; }

    public long ModRevision { get; init; }

    public long Version { get; init; }

    public long Lease { get; init; }

    /// <exception cref="FormatException">The bytes are not a KeyValue message.</exception>
    public static KeyValueSummary Parse(ReadOnlySpan<byte> message)
    {
        ReadOnlySpan<byte> key = default;
        long create = 0, mod = 0, version = 0, lease = 0;
        int pos = 0;
        while (pos < message.Length)
        {
            ulong tag = ReadVarint(message, ref pos);
            int field = (int)(tag >> 3);
            switch ((int)(tag & 7))
            {
                case 0:
                    long v = (long)ReadVarint(message, ref pos);
                    switch (field)
                    {
                        case 2: create = v; break;
                        case 3: mod = v; break;
                        case 4: version = v; break;
                        case 6: lease = v; break;
                    }
                    break;
                case 1:
                    pos += 8;
                    break;
                case 2:
                    ulong length = ReadVarint(message, ref pos);
                    if (length > (ulong)(message.Length - pos))
                    {
                        throw new FormatException($"KeyValue record: field {field} runs past the end ({length} bytes at offset {pos} of {message.Length})");
                    }
                    if (field == 1)
                    {
                        key = message.Slice(pos, (int)length);
                    }
                    pos += (int)length;
                    break;
                case 5:
                    pos += 4;
                    break;
                default:
                    throw new FormatException($"KeyValue record: unsupported wire type {tag & 7} at offset {pos}");
            }
        }
        if (pos > message.Length)
        {
            throw new FormatException($"KeyValue record: truncated ({message.Length} bytes)");
        }
        return new KeyValueSummary { Key = key, CreateRevision = create, ModRevision = mod, Version = version, Lease = lease };
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> buffer, ref int pos)
    {
        ulong result = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if (pos >= buffer.Length)
            {
                throw new FormatException($"KeyValue record: truncated varint at offset {pos}");
            }
            byte b = buffer[pos++];
            result |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return result;
            }
        }
        throw new FormatException($"KeyValue record: varint longer than 10 bytes at offset {pos}");
    }
}
