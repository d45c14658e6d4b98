using Cairn.Protocol.Raftpb;

namespace Cairn.Storage.Wal;

/// <summary>
/// Marshals the payloads of WAL records (<c>raftpb.Entry</c>, <c>raftpb.HardState</c>,
/// <c>walpb.Snapshot</c>) byte for byte as etcd's gogo code does: non-nullable fields are always
/// written, in field-number order, whatever the C# message's presence bits say; an entry's data
/// only when present. Unmarshalling uses the generated parsers.
/// </summary>
internal static class WalPayloadCodec
{
    public static int EntrySize(Entry entry)
    {
        int size = 1 + ProtoWire.VarintSize((ulong)(long)entry.Type)
                 + 1 + ProtoWire.VarintSize(entry.Term)
                 + 1 + ProtoWire.VarintSize(entry.Index);
        if (entry.HasData)
        {
            size += 1 + ProtoWire.VarintSize((ulong)entry.Data.Length) + entry.Data.Length;
        }
        return size;
    }

    public static int WriteEntry(Entry entry, Span<byte> destination)
    {
        int i = 0;
        destination[i++] = 0x08;
        i += ProtoWire.WriteVarint(destination[i..], (ulong)(long)entry.Type);
        destination[i++] = 0x10;
        i += ProtoWire.WriteVarint(destination[i..], entry.Term);
        destination[i++] = 0x18;
        i += ProtoWire.WriteVarint(destination[i..], entry.Index);
        if (entry.HasData)
        {
            var data = entry.Data.Span;
            destination[i++] = 0x22;
            i += ProtoWire.WriteVarint(destination[i..], (ulong)data.Length);
            data.CopyTo(destination[i..]);
            i += data.Length;
        }
        return i;
    }

    /// <summary>Upper bound of a marshalled HardState or walpb.Snapshot (three or two varint fields).</summary>
    public const int MaxSmallMessageBytes = 3 * 11;

    public static int WriteHardState(HardState state, Span<byte> destination)
    {
        int i = 0;
        destination[i++] = 0x08;
        i += ProtoWire.WriteVarint(destination[i..], state.Term);
        destination[i++] = 0x10;
        i += ProtoWire.WriteVarint(destination[i..], state.Vote);
        destination[i++] = 0x18;
        i += ProtoWire.WriteVarint(destination[i..], state.Commit);
        return i;
    }

    public static int WriteSnapshot(ulong index, ulong term, Span<byte> destination)
    {
        int i = 0;
        destination[i++] = 0x08;
        i += ProtoWire.WriteVarint(destination[i..], index);
        destination[i++] = 0x10;
        i += ProtoWire.WriteVarint(destination[i..], term);
        return i;
    }

    public static bool IsEmpty(HardState state) => state.Term == 0 && state.Vote == 0 && state.Commit == 0;

    // etcd panics on a record whose CRC holds but whose payload does not unmarshal; Cairn
    // refuses the WAL with the record's place instead.
    public static Entry ParseEntry(ReadOnlySpan<byte> data, WalDecoder decoder)
    {
        try
        {
            return Entry.Parser.ParseFrom(data);
        }
        catch (Google.Protobuf.InvalidProtocolBufferException e)
        {
            throw Corrupt(decoder, "entry", e);
        }
    }

    public static HardState ParseHardState(ReadOnlySpan<byte> data, WalDecoder decoder)
    {
        try
        {
            var parsed = HardState.Parser.ParseFrom(data);
            // Hand back etcd's value semantics: all three fields set, so it re-marshals identically.
            return HardState.Of(parsed.Term, parsed.Vote, parsed.Commit);
        }
        catch (Google.Protobuf.InvalidProtocolBufferException e)
        {
            throw Corrupt(decoder, "hard state", e);
        }
    }

    public static Protocol.Walpb.Snapshot ParseSnapshot(ReadOnlySpan<byte> data, WalDecoder decoder)
    {
        try
        {
            var parsed = Protocol.Walpb.Snapshot.Parser.ParseFrom(data);
            return new Protocol.Walpb.Snapshot { Index = parsed.Index, Term = parsed.Term };
        }
        catch (Google.Protobuf.InvalidProtocolBufferException e)
        {
            throw Corrupt(decoder, "snapshot", e);
        }
    }

    private static WalException Corrupt(WalDecoder decoder, string what, Exception e) =>
        new(WalErrorKind.Corrupt, decoder.CurrentPath, decoder.LastRecordOffset, $"{what} does not unmarshal: {e.Message}");

    /// <summary>
    /// Unmarshals a <c>walpb.Record</c>; false when the bytes are not a valid record (a field of the
    /// wrong wire type, a group, a truncated field).
    /// </summary>
    public static bool TryParseRecord(ReadOnlySpan<byte> source, out long type, out uint crc, out int dataStart, out int dataLength, out bool hasData)
    {
        type = 0;
        crc = 0;
        dataStart = 0;
        dataLength = 0;
        hasData = false;
        int position = 0;
        while (position < source.Length)
        {
            if (!ProtoWire.TryReadVarint(source, ref position, out ulong tag))
            {
                return false;
            }
            int field = (int)(tag >> 3);
            int wire = (int)(tag & 7);
            if (field <= 0)
            {
                return false;
            }
            switch (field)
            {
                case 1 when wire == ProtoWire.WireVarint:
                    if (!ProtoWire.TryReadVarint(source, ref position, out ulong t))
                    {
                        return false;
                    }
                    type = (long)t;
                    break;
                case 2 when wire == ProtoWire.WireVarint:
                    if (!ProtoWire.TryReadVarint(source, ref position, out ulong c))
                    {
                        return false;
                    }
                    crc = (uint)c;
                    break;
                case 3 when wire == ProtoWire.WireBytes:
                    if (!ProtoWire.TryReadVarint(source, ref position, out ulong length) || length > (ulong)(source.Length - position))
                    {
                        return false;
                    }
                    dataStart = position;
                    dataLength = (int)length;
                    hasData = true;
                    position += (int)length;
                    break;
                case 1 or 2 or 3:
                    return false; // a known field with the wrong wire type
                default:
                    if (!ProtoWire.TrySkip(source, ref position, wire))
                    {
                        return false;
                    }
                    break;
            }
        }
        return true;
    }
}
