using Cairn.Protocol.Raftpb;
using Cairn.Storage.FileSystem;
using WalSnapshot = Cairn.Protocol.Walpb.Snapshot;

namespace Cairn.Storage.Wal;

/// <summary>
/// Read-only passes over a WAL directory that take no locks, so they can run beside a WAL open
/// for appending (etcd's <c>wal.Verify</c> and <c>wal.ValidSnapshotEntries</c>).
/// </summary>
public static class WalInspection
{
    /// <summary>
    /// Checks that the WAL from <paramref name="snapshot"/> on decodes, its CRC chain holds, its
    /// metadata agrees, and the snapshot record is there with the right term. Throws
    /// <see cref="WalException"/> otherwise. A torn tail is not an error here.
    /// </summary>
    public static void Verify(string directory, WalSnapshot snapshot)
    {
        var replay = new WalReplay(snapshot, readEntries: false);
        ReadSegments(directory, WalSegmentName.SelectFrom(directory, snapshot.Index), replay.Apply);
        if (!replay.SnapshotFound)
        {
            throw new WalException(WalErrorKind.SnapshotNotFound, directory);
        }
    }

    /// <summary>
    /// The snapshot records of the whole WAL whose index is covered by the last committed hard
    /// state: the snapshots a restart may load (pass them to <c>Snapshotter.LoadNewestAvailable</c>).
    /// </summary>
    public static IReadOnlyList<WalSnapshot> ValidSnapshotEntries(string directory)
    {
        var names = WalSegmentName.ReadSegmentNames(directory);
        if (names.Count == 0)
        {
            throw new WalException(WalErrorKind.FileNotFound, directory);
        }
        var snapshots = new List<WalSnapshot>();
        var state = HardState.Of(0, 0, 0);
        ReadSegments(directory, names, (decoder, record) =>
        {
            if (record.Type == (long)WalRecordType.Snapshot)
            {
                snapshots.Add(WalPayloadCodec.ParseSnapshot(record.Data, decoder));
            }
            else if (record.Type == (long)WalRecordType.State)
            {
                state = WalPayloadCodec.ParseHardState(record.Data, decoder);
            }
        });
        return snapshots.Where(s => s.Index <= state.Commit).ToList();
    }

    private delegate void RecordVisitor(WalDecoder decoder, WalRecord record);

    // Decodes the named segments, checking CRC records, and hands every other record to the
    // visitor; stops quietly at the end or at a torn tail.
    private static void ReadSegments(string directory, IEnumerable<string> names, RecordVisitor visit)
    {
        var files = new List<LockedFile>();
        try
        {
            var readers = new List<SegmentReader>();
            foreach (string name in names)
            {
                var file = LockedFile.OpenUnlocked(Path.Combine(directory, name));
                files.Add(file);
                readers.Add(new SegmentReader(file, name));
            }
            var decoder = new WalDecoder(readers);
            while (decoder.Decode(out var record) == DecodeStatus.Record)
            {
                if (record.Type == (long)WalRecordType.Crc)
                {
                    WalReplay.CheckCrcRecord(decoder, record.Crc);
                }
                else
                {
                    visit(decoder, record);
                }
            }
        }
        finally
        {
            files.ForEach(f => f.Dispose());
        }
    }
}
