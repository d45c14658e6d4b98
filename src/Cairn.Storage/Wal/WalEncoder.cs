using System.Buffers.Binary;
using Cairn.Protocol.Raftpb;
using Cairn.Storage.Crc;
using Cairn.Storage.FileSystem;

namespace Cairn.Storage.Wal;

/// <summary>
/// Appends framed records to a segment file through a <see cref="PageWriter"/>, chaining each
/// record's CRC onto the previous one. Nothing here syncs.
/// </summary>
internal sealed class WalEncoder
{
    private readonly PageWriter _writer;
    private byte[] _scratch = new byte[4096];
    private byte[] _frame = new byte[4096];

    public WalEncoder(LockedFile file, long offset, uint previousCrc)
    {
        _writer = new PageWriter(file, offset);
        Crc = previousCrc;
    }

    /// <summary>The running CRC: that of the last record encoded.</summary>
    public uint Crc { get; private set; }

    /// <summary>Offset in the file just past the last record encoded (flushed or not).</summary>
    public long Offset => _writer.FileOffset + _writer.Buffered;

    /// <summary>Offset in the file up to which records were written out (what etcd decides cuts on).</summary>
    public long FlushedOffset => _writer.FileOffset;

    /// <summary>Continues on another file (a new segment) at <paramref name="offset"/>, keeping the CRC chain.</summary>
    public void SwitchTo(LockedFile file, long offset) => _writer.SwitchTo(file, offset);

    public void EncodeEntry(Entry entry)
    {
        int size = WalPayloadCodec.EntrySize(entry);
        if (!TryEncodeEntryInPlace(entry, size))
        {
            var scratch = Scratch(size);
            WalPayloadCodec.WriteEntry(entry, scratch);
            Encode(WalRecordType.Entry, scratch[..size], hasData: true);
        }
    }

    // The common case, an entry whose frame fits in the page buffer below its watermark: marshal
    // it straight into the buffer (no intermediate copies). The bytes and the page writer's state
    // end up exactly as Encode's two writes would leave them.
    private bool TryEncodeEntryInPlace(Entry entry, int size)
    {
        int lengthVarint = ProtoWire.VarintSize((ulong)size);
        int maxHeader = WalFrame.LengthBytes + 2 + 1 + MaxCrcVarint + 1 + lengthVarint;
        var room = _writer.ReserveUnderWatermark(maxHeader + size + 7);
        if (room.IsEmpty)
        {
            return false;
        }
        var payload = room.Slice(maxHeader, size);
        WalPayloadCodec.WriteEntry(entry, payload);
        Crc = Crc32C.Update(Crc, payload);

        int crcVarint = ProtoWire.VarintSize(Crc);
        int header = maxHeader - (MaxCrcVarint - crcVarint);
        if (header != maxHeader)
        {
            payload.CopyTo(room[header..]);
        }
        int recordBytes = header - WalFrame.LengthBytes + size;
        var (lengthField, pad) = WalFrame.Encode(recordBytes);
        BinaryPrimitives.WriteUInt64LittleEndian(room, lengthField);
        int i = WalFrame.LengthBytes;
        room[i++] = 0x08;
        room[i++] = (byte)WalRecordType.Entry;
        room[i++] = 0x10;
        i += ProtoWire.WriteVarint(room[i..], Crc);
        room[i++] = 0x1A;
        ProtoWire.WriteVarint(room[i..], (ulong)size);
        room.Slice(header + size, pad).Clear();
        _writer.Commit(header + size + pad);
        return true;
    }

    private const int MaxCrcVarint = 5;

    public void EncodeHardState(HardState state)
    {
        Span<byte> payload = stackalloc byte[WalPayloadCodec.MaxSmallMessageBytes];
        int n = WalPayloadCodec.WriteHardState(state, payload);
        Encode(WalRecordType.State, payload[..n], hasData: true);
    }

    public void EncodeSnapshot(ulong index, ulong term)
    {
        Span<byte> payload = stackalloc byte[WalPayloadCodec.MaxSmallMessageBytes];
        int n = WalPayloadCodec.WriteSnapshot(index, term, payload);
        Encode(WalRecordType.Snapshot, payload[..n], hasData: true);
    }

    /// <summary>The CRC record that opens a segment: it carries the chain's value so far and no data.</summary>
    public void EncodeCrcRecord() => Encode(WalRecordType.Crc, default, hasData: false);

    public void EncodeMetadata(byte[]? metadata) =>
        Encode(WalRecordType.Metadata, metadata, hasData: metadata is not null);

    /// <summary>
    /// Frames one record. The record's CRC is the chain's value after its data, as etcd computes
    /// it; a record without data (the CRC record) therefore carries the chain's current value.
    /// </summary>
    public void Encode(WalRecordType type, ReadOnlySpan<byte> data, bool hasData)
    {
        Crc = Crc32C.Update(Crc, data);
        int recordBytes = 1 + ProtoWire.VarintSize((ulong)type) + 1 + ProtoWire.VarintSize(Crc);
        if (hasData)
        {
            recordBytes += 1 + ProtoWire.VarintSize((ulong)data.Length) + data.Length;
        }
        var (lengthField, pad) = WalFrame.Encode(recordBytes);
        int frameBytes = WalFrame.LengthBytes + recordBytes + pad;

        if (_frame.Length < frameBytes)
        {
            _frame = new byte[Math.Max(frameBytes, _frame.Length * 2)];
        }
        var frame = _frame.AsSpan(0, frameBytes);
        BinaryPrimitives.WriteUInt64LittleEndian(frame, lengthField);
        int i = WalFrame.LengthBytes;
        frame[i++] = 0x08;
        i += ProtoWire.WriteVarint(frame[i..], (ulong)type);
        frame[i++] = 0x10;
        i += ProtoWire.WriteVarint(frame[i..], Crc);
        if (hasData)
        {
            frame[i++] = 0x1A;
            i += ProtoWire.WriteVarint(frame[i..], (ulong)data.Length);
            data.CopyTo(frame[i..]);
            i += data.Length;
        }
        frame[i..].Clear();
        // Two writes, the length word and then the padded record, as etcd: the page writer's
        // flush points (and so segment cut points) depend on the write boundaries.
        _writer.Write(frame[..WalFrame.LengthBytes]);
        _writer.Write(frame[WalFrame.LengthBytes..]);
    }

    /// <summary>Writes every buffered byte to the file (without syncing).</summary>
    public void Flush() => _writer.Flush();

    private Span<byte> Scratch(int size)
    {
        if (_scratch.Length < size)
        {
            _scratch = new byte[Math.Max(size, _scratch.Length * 2)];
        }
        return _scratch.AsSpan(0, size);
    }
}
