using Cairn.Protocol.Raftpb;
using WalSnapshot = Cairn.Protocol.Walpb.Snapshot;

namespace Cairn.Storage.Wal;

/// <summary>
/// Applies decoded records with the rules of etcd's <c>ReadAll</c>: entries after the start
/// snapshot (a later entry replacing the conflicting suffix, a gap refused), the last hard state,
/// metadata that must agree, the CRC chain carried by CRC records, and whether the start
/// snapshot's record was seen (with the right term).
/// </summary>
internal sealed class WalReplay
{
    private readonly WalSnapshot _start;
    private readonly bool _readEntries;

    /// <param name="start">The snapshot the WAL is read from.</param>
    /// <param name="readEntries">False for a check that needs only metadata, CRCs and snapshots (etcd's Verify).</param>
    public WalReplay(WalSnapshot start, bool readEntries)
    {
        _start = start;
        _readEntries = readEntries;
    }

    public byte[]? Metadata { get; private set; }

    public HardState State { get; private set; } = HardState.Of(0, 0, 0);

    public List<Entry> Entries { get; } = [];

    /// <summary>Index of the last entry record read, whether or not it was after the snapshot.</summary>
    public ulong LastIndex { get; private set; }

    public bool SnapshotFound { get; private set; }

    public void Apply(WalDecoder decoder, WalRecord record)
    {
        switch ((WalRecordType)record.Type)
        {
            case WalRecordType.Entry when _readEntries:
                AddEntry(decoder, WalPayloadCodec.ParseEntry(record.Data, decoder));
                break;
            case WalRecordType.State when _readEntries:
                State = WalPayloadCodec.ParseHardState(record.Data, decoder);
                break;
            case WalRecordType.Entry or WalRecordType.State:
                break;
            case WalRecordType.Metadata:
                if (Metadata is not null && !record.Data.SequenceEqual(Metadata))
                {
                    throw new WalException(WalErrorKind.MetadataConflict, decoder.CurrentPath, decoder.LastRecordOffset);
                }
                Metadata = record.HasData ? record.Data.ToArray() : null;
                break;
            case WalRecordType.Crc:
                CheckCrcRecord(decoder, record.Crc);
                break;
            case WalRecordType.Snapshot:
                var snapshot = WalPayloadCodec.ParseSnapshot(record.Data, decoder);
                if (snapshot.Index == _start.Index)
                {
                    if (snapshot.Term != _start.Term)
                    {
                        throw new WalException(WalErrorKind.SnapshotMismatch, decoder.CurrentPath, decoder.LastRecordOffset,
                            $"snapshot at index {snapshot.Index} has term {snapshot.Term}, expected {_start.Term}");
                    }
                    SnapshotFound = true;
                }
                break;
            default:
                throw new WalException(WalErrorKind.UnexpectedRecordType, decoder.CurrentPath, decoder.LastRecordOffset, $"type {record.Type}");
        }
    }

    /// <summary>
    /// A CRC record must carry the chain's current value, except on a fresh chain (0): the first
    /// segment read need not be the first written. The chain then continues from the carried value.
    /// </summary>
    public static void CheckCrcRecord(WalDecoder decoder, uint recordCrc)
    {
        if (decoder.Crc != 0 && recordCrc != decoder.Crc)
        {
            throw new WalException(WalErrorKind.CrcMismatch, decoder.CurrentPath, decoder.LastRecordOffset,
                $"segment carries crc {recordCrc:x8}, the previous segment ended with {decoder.Crc:x8}");
        }
        decoder.Crc = recordCrc;
    }

    private void AddEntry(WalDecoder decoder, Entry entry)
    {
        if (entry.Index > _start.Index)
        {
            ulong position = entry.Index - _start.Index - 1;
            if (position > (ulong)Entries.Count)
            {
                throw new WalException(WalErrorKind.SliceOutOfRange, decoder.CurrentPath, decoder.LastRecordOffset,
                    $"entry {entry.Index} after {Entries.Count} entries following snapshot {_start.Index}");
            }
            if (position < (ulong)Entries.Count)
            {
                Entries.RemoveRange((int)position, Entries.Count - (int)position);
            }
            Entries.Add(entry);
        }
        LastIndex = entry.Index;
    }
}
