using System.Buffers.Binary;
using Cairn.Storage.Crc;

namespace Cairn.Storage.Wal;

/// <summary>What one step of decoding found.</summary>
internal enum DecodeStatus
{
    /// <summary>A valid record.</summary>
    Record,

    /// <summary>The end of the last segment, or its zero-filled (preallocated) tail.</summary>
    End,

    /// <summary>The log stops inside a record: a torn write or a truncated file (etcd's <c>io.ErrUnexpectedEOF</c>).</summary>
    TornTail,
}

/// <summary>
/// Reads framed records across consecutive segments, verifying each record's CRC against the
/// running chain. A zero length word or the end of a file moves on to the next segment. A record
/// that fails to decode or to match its CRC is a torn write, not corruption, only in the last
/// segment and only when one of the 512-byte sectors it spans is entirely zero (the sector never
/// reached the disk); anything else is corruption and throws, naming the file and offset.
/// </summary>
internal sealed class WalDecoder
{
    private readonly IReadOnlyList<SegmentReader> _segments;
    private int _current;
    private byte[] _data = new byte[64 * 1024];

    public WalDecoder(IReadOnlyList<SegmentReader> segments)
    {
        _segments = segments;
    }

    /// <summary>The running CRC (that of the last record read), or the value a CRC record reset it to.</summary>
    public uint Crc { get; set; }

    /// <summary>Offset, in the current segment, just past the last valid record.</summary>
    public long LastValidOffset { get; private set; }

    /// <summary>Offset, in its segment, of the record <see cref="Decode"/> returned last.</summary>
    public long LastRecordOffset { get; private set; }

    /// <summary>Path of the segment being read (the last one once all are read).</summary>
    public string CurrentPath => _segments[Math.Min(_current, _segments.Count - 1)].Path;

    public DecodeStatus Decode(out WalRecord record)
    {
        record = default;
        Span<byte> lengthWord = stackalloc byte[WalFrame.LengthBytes];
        while (true)
        {
            if (_current >= _segments.Count)
            {
                return DecodeStatus.End;
            }
            var segment = _segments[_current];
            int n = segment.ReadFull(lengthWord);
            long lengthField = n == WalFrame.LengthBytes ? BinaryPrimitives.ReadInt64LittleEndian(lengthWord) : 0;
            if (n == 0 || (n == WalFrame.LengthBytes && lengthField == 0))
            {
                // End of this file or of its preallocated space: the next segment, if any.
                if (_current + 1 >= _segments.Count)
                {
                    _current = _segments.Count;
                    return DecodeStatus.End;
                }
                _current++;
                LastValidOffset = 0;
                continue;
            }
            if (n < WalFrame.LengthBytes)
            {
                return DecodeStatus.TornTail;
            }

            var (recordBytes, padBytes) = WalFrame.Decode(lengthField);
            if (recordBytes >= WalFrame.MaxRecordBytes - padBytes)
            {
                throw new WalException(WalErrorKind.MaxEntrySizeExceeded, segment.Path, LastValidOffset,
                    $"record of {recordBytes} bytes");
            }
            int frameBytes = (int)(recordBytes + padBytes);
            if (_data.Length < frameBytes)
            {
                _data = new byte[Math.Max(frameBytes, _data.Length * 2)];
            }
            var frame = _data.AsSpan(0, frameBytes);
            if (segment.ReadFull(frame) < frameBytes)
            {
                return DecodeStatus.TornTail;
            }

            var recordSpan = frame[..(int)recordBytes];
            if (!WalPayloadCodec.TryParseRecord(recordSpan, out long type, out uint crc, out int dataStart, out int dataLength, out bool hasData))
            {
                if (IsTornEntry(frame))
                {
                    return DecodeStatus.TornTail;
                }
                throw new WalException(WalErrorKind.Corrupt, segment.Path, LastValidOffset, "record does not unmarshal");
            }
            var data = recordSpan.Slice(dataStart, dataLength);
            if (type != (long)WalRecordType.Crc)
            {
                Crc = Crc32C.Update(Crc, data);
                if (crc != Crc)
                {
                    if (IsTornEntry(frame))
                    {
                        return DecodeStatus.TornTail;
                    }
                    throw new WalException(WalErrorKind.CrcMismatch, segment.Path, LastValidOffset,
                        $"record crc {crc:x8}, computed {Crc:x8}");
                }
            }
            record = new WalRecord(type, crc, data, hasData);
            LastRecordOffset = LastValidOffset;
            LastValidOffset += WalFrame.LengthBytes + frameBytes;
            return DecodeStatus.Record;
        }
    }

    // A record is torn when it is in the last segment and one of the sector-aligned pieces it
    // spans is all zeros: that sector was never written.
    private bool IsTornEntry(ReadOnlySpan<byte> frame)
    {
        if (_current != _segments.Count - 1)
        {
            return false;
        }
        long fileOffset = LastValidOffset + WalFrame.LengthBytes;
        int position = 0;
        while (position < frame.Length)
        {
            int chunk = (int)Math.Min(WalFrame.MinSectorSize - (fileOffset % WalFrame.MinSectorSize), frame.Length - position);
            if (!frame.Slice(position, chunk).ContainsAnyExcept((byte)0))
            {
                return true;
            }
            fileOffset += chunk;
            position += chunk;
        }
        return false;
    }
}
