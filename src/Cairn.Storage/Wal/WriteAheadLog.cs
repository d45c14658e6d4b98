using System.Globalization;
using Cairn.Protocol.Raftpb;
using Cairn.Storage.FileSystem;
using WalSnapshot = Cairn.Protocol.Walpb.Snapshot;

namespace Cairn.Storage.Wal;

/// <summary>
/// etcd's write-ahead log (<c>member/wal</c>), byte-compatible with etcd 3.4. A created WAL is in
/// append mode. An opened WAL is in read mode until <see cref="ReadAll"/> has read every record
/// after the snapshot it was opened at; then (if opened with <see cref="Open"/>) it appends.
/// <para>
/// Durability: <see cref="Save"/>, <see cref="SaveSnapshot"/> and <see cref="Sync"/> return once
/// the data is on disk (fdatasync), blocking the calling thread for the flush: call them from the
/// server's persistence thread, never from a thread pool worker that others wait on. One
/// <see cref="Save"/> is one fdatasync however many entries it carries; batching (group commit)
/// is the caller's. All members are thread-safe (one lock), as etcd's.
/// </para>
/// </summary>
public sealed class WriteAheadLog : IDisposable
{
    private readonly object _gate = new();
    private readonly WalOptions _options;
    private readonly List<WalSegment> _segments;
    private readonly bool _appendMode;

    private WalSnapshot _start;
    private WalDecoder? _decoder;
    private WalEncoder? _encoder;
    private SegmentPipeline? _pipeline;
    private byte[]? _metadata;
    private HardState _state = HardState.Of(0, 0, 0);
    private ulong _lastIndex;
    private bool _disposed;
    private Exception? _failure;

    private WriteAheadLog(string directory, WalOptions options, List<WalSegment> segments, bool appendMode, WalSnapshot start)
    {
        Directory = directory;
        _options = options;
        _segments = segments;
        _appendMode = appendMode;
        _start = start;
    }

    /// <summary>The directory holding the segments.</summary>
    public string Directory { get; }

    /// <summary>Index of the last entry (or snapshot) saved or read.</summary>
    public ulong LastIndex
    {
        get
        {
            lock (_gate)
            {
                return _lastIndex;
            }
        }
    }

    /// <summary>Names of the segments this WAL holds open (and, in append mode, locked), oldest first.</summary>
    public IReadOnlyList<string> OpenSegments
    {
        get
        {
            lock (_gate)
            {
                return _segments.Select(s => s.Name).ToList();
            }
        }
    }

    /// <summary>Whether <paramref name="directory"/> holds any <c>.wal</c> file.</summary>
    public static bool Exists(string directory) =>
        System.IO.Directory.Exists(directory) && DirectoryNames.Read(directory, WalSegmentName.Extension).Count != 0;

    /// <summary>
    /// Creates a WAL in <paramref name="directory"/>, which must hold no WAL: the first segment is
    /// written in <c>directory.tmp</c> (CRC record, <paramref name="metadata"/>, an empty snapshot
    /// record, synced), then the directory is renamed into place and its parent synced, so a
    /// crash leaves either no WAL or a complete one.
    /// </summary>
    public static WriteAheadLog Create(string directory, byte[]? metadata, WalOptions? options = null)
    {
        options ??= WalOptions.Default;
        if (Exists(directory))
        {
            throw new WalException(WalErrorKind.AlreadyExists, directory);
        }
        string clean = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        string tmp = clean + ".tmp";
        if (System.IO.Directory.Exists(tmp))
        {
            System.IO.Directory.Delete(tmp, recursive: true);
        }
        DirectoryNames.CreateEmpty(tmp);

        string name = WalSegmentName.Format(0, 0);
        var file = LockedFile.Lock(Path.Combine(tmp, name), FileMode.OpenOrCreate, FileAccess.ReadWrite);
        var wal = new WriteAheadLog(clean, options, [new WalSegment(file, name)], appendMode: true, new WalSnapshot())
        {
            _metadata = metadata,
        };
        try
        {
            file.Preallocate(options.SegmentSizeBytes, extendFile: true);
            wal._encoder = new WalEncoder(file, 0, 0);
            wal._encoder.EncodeCrcRecord();
            wal._encoder.EncodeMetadata(metadata);
            wal.SaveSnapshot(new WalSnapshot { Index = 0, Term = 0 });

            if (System.IO.Directory.Exists(clean))
            {
                System.IO.Directory.Delete(clean, recursive: true);
            }
            // The lock stays held across the rename (Linux allows renaming a directory with open files).
            System.IO.Directory.Move(tmp, clean);
            file.MovedTo(Path.Combine(clean, name));
        }
        catch
        {
            wal.CloseFiles();
            throw;
        }

        try
        {
            FileSync.SyncDirectory(Path.GetDirectoryName(clean)!);
        }
        catch (IOException)
        {
            // As etcd: a WAL whose creation cannot be made durable is moved aside, not used.
            wal.CloseFiles();
            string broken = $"{clean}.broken.{DateTime.Now.ToString("yyyyMMdd.HHmmss.ffffff", CultureInfo.InvariantCulture)}";
            System.IO.Directory.Move(clean, broken);
            throw;
        }
        wal._pipeline = new SegmentPipeline(clean, options.SegmentSizeBytes);
        return wal;
    }

    /// <summary>
    /// Opens the WAL for appending, positioned at <paramref name="snapshot"/> (which must have
    /// been saved to it). Locks every segment from the one holding the snapshot on; fails with
    /// <see cref="FileLockedException"/> when another process (or WAL) holds them.
    /// Call <see cref="ReadAll"/> before appending.
    /// </summary>
    public static WriteAheadLog Open(string directory, WalSnapshot snapshot, WalOptions? options = null) =>
        OpenAt(directory, snapshot, options ?? WalOptions.Default, appendMode: true);

    /// <summary>Opens the WAL to read only, taking no locks; a torn tail is tolerated, not reported.</summary>
    public static WriteAheadLog OpenForRead(string directory, WalSnapshot snapshot, WalOptions? options = null) =>
        OpenAt(directory, snapshot, options ?? WalOptions.Default, appendMode: false);

    /// <summary>
    /// What etcd's server does at start: open for appending at <paramref name="snapshot"/> and
    /// read everything; if the log ends in a torn record and <paramref name="repairTornTail"/>,
    /// cut it off with <see cref="WalRepair.Repair"/> (once) and read again. Any other error,
    /// corruption included, is thrown. <paramref name="repairing"/> hears the torn segment's path
    /// before it is repaired (the repair succeeded if Recover then returns).
    /// </summary>
    public static (WriteAheadLog Wal, WalContents Contents) Recover(
        string directory, WalSnapshot snapshot, bool repairTornTail = true, WalOptions? options = null, Action<string>? repairing = null)
    {
        bool repaired = false;
        while (true)
        {
            var wal = Open(directory, snapshot, options);
            try
            {
                return (wal, wal.ReadAll());
            }
            catch (WalException e) when (e.Kind == WalErrorKind.UnexpectedEof && repairTornTail && !repaired)
            {
                wal.Dispose();
                repairing?.Invoke(e.SegmentPath ?? directory);
                if (!WalRepair.Repair(directory))
                {
                    throw;
                }
                repaired = true;
            }
            catch
            {
                wal.Dispose();
                throw;
            }
        }
    }

    /// <summary>
    /// Reads every record after the snapshot the WAL was opened at. In append mode every record
    /// must decode (a torn tail throws <see cref="WalErrorKind.UnexpectedEof"/>; see
    /// <see cref="Recover"/>), the space after the last record is zeroed and the WAL becomes
    /// appendable, continuing the CRC chain. In read mode reading stops quietly at a torn tail.
    /// Throws <see cref="WalErrorKind.SnapshotNotFound"/> when the snapshot record is absent.
    /// </summary>
    public WalContents ReadAll()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var decoder = _decoder ?? throw new InvalidOperationException("wal: decoder not found (ReadAll was already called, or the WAL was created)");
            var replay = new WalReplay(_start, readEntries: true);
            DecodeStatus status;
            while ((status = decoder.Decode(out var record)) == DecodeStatus.Record)
            {
                replay.Apply(decoder, record);
            }
            _lastIndex = Math.Max(_lastIndex, replay.LastIndex);

            if (_appendMode)
            {
                if (status == DecodeStatus.TornTail)
                {
                    throw new WalException(WalErrorKind.UnexpectedEof, decoder.CurrentPath, decoder.LastValidOffset);
                }
                // Zero whatever follows the last valid record: a torn write may have left non-zero
                // sectors behind a zero one, and overwriting only some of them would read back as
                // corruption later.
                var tail = Tail.File;
                Preallocation.ZeroToEnd(tail.Handle, decoder.LastValidOffset, tail.Path);
            }

            if (!replay.SnapshotFound)
            {
                throw new WalException(WalErrorKind.SnapshotNotFound, Directory, null,
                    $"no snapshot record at index {_start.Index} term {_start.Term}");
            }

            if (_appendMode)
            {
                _encoder = new WalEncoder(Tail.File, decoder.LastValidOffset, decoder.Crc);
            }
            else
            {
                CloseFiles();
                _segments.Clear();
            }
            _start = new WalSnapshot();
            _metadata = replay.Metadata;
            _decoder = null;
            _state = replay.State;
            return new WalContents(replay.Metadata, replay.State, replay.Entries);
        }
    }

    /// <summary>
    /// Appends <paramref name="entries"/> and then <paramref name="state"/> (unless empty) and
    /// makes them durable with one fdatasync, unless nothing raft must persist changed (no
    /// entries, same term and vote). Cuts a new segment when the current one is full.
    /// </summary>
    public void Save(HardState? state, IReadOnlyList<Entry> entries)
    {
        state ??= HardState.Of(0, 0, 0);
        lock (_gate)
        {
            var encoder = Writable();
            if (WalPayloadCodec.IsEmpty(state) && entries.Count == 0)
            {
                return;
            }
            try
            {
                bool mustSync = entries.Count != 0 || state.Vote != _state.Vote || state.Term != _state.Term;
                foreach (var entry in entries)
                {
                    encoder.EncodeEntry(entry);
                    _lastIndex = entry.Index;
                }
                SaveState(encoder, state);

                // Like etcd, judge fullness by what reached the file so far (records still in the
                // page buffer do not count), so segments end where etcd's would.
                if (encoder.FlushedOffset < _options.SegmentSizeBytes)
                {
                    if (mustSync)
                    {
                        SyncLocked();
                    }
                    return;
                }
                Cut();
            }
            catch (Exception e)
            {
                _failure ??= e;
                throw;
            }
        }
    }

    /// <summary>Records that a snapshot at <paramref name="snapshot"/> exists (the WAL can later be opened there) and syncs.</summary>
    public void SaveSnapshot(WalSnapshot snapshot)
    {
        lock (_gate)
        {
            var encoder = Writable();
            try
            {
                encoder.EncodeSnapshot(snapshot.Index, snapshot.Term);
                if (_lastIndex < snapshot.Index)
                {
                    _lastIndex = snapshot.Index;
                }
                SyncLocked();
            }
            catch (Exception e)
            {
                _failure ??= e;
                throw;
            }
        }
    }

    /// <summary>Writes out buffered records and fdatasyncs the current segment.</summary>
    public void Sync()
    {
        lock (_gate)
        {
            Writable();
            try
            {
                SyncLocked();
            }
            catch (Exception e)
            {
                _failure ??= e;
                throw;
            }
        }
    }

    /// <summary>
    /// Releases (closes and unlocks) the segments that hold only entries before
    /// <paramref name="index"/>, keeping the newest of them, which may still hold entries at or
    /// after it. Holding segments 1..6, <c>ReleaseLockTo(4)</c> releases 1 and 2 and keeps 3.
    /// Released segments can then be purged (<c>--max-wals</c>).
    /// </summary>
    public void ReleaseLockTo(ulong index)
    {
        lock (_gate)
        {
            if (!_appendMode || _segments.Count == 0)
            {
                return;
            }
            int smaller = _segments.Count - 1;
            for (int i = 0; i < _segments.Count; i++)
            {
                if (_segments[i].FirstIndex >= index)
                {
                    smaller = i - 1;
                    break;
                }
            }
            if (smaller <= 0)
            {
                return;
            }
            for (int i = 0; i < smaller; i++)
            {
                _segments[i].File.Dispose();
            }
            _segments.RemoveRange(0, smaller);
        }
    }

    /// <summary>Stops the segment pipeline, syncs what was appended, and closes (unlocks) every segment.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            try
            {
                _pipeline?.Dispose();
                _pipeline = null;
                // After a failed write or sync, what the buffer and the page cache hold is in doubt: the records
                // raft never got an acknowledgement for stay unsynced, and closing cannot fail the same way again.
                if (_appendMode && _segments.Count != 0 && _failure is null)
                {
                    SyncLocked();
                }
            }
            finally
            {
                CloseFiles();
            }
        }
    }

    private static WriteAheadLog OpenAt(string directory, WalSnapshot snapshot, WalOptions options, bool appendMode)
    {
        var segments = new List<WalSegment>();
        try
        {
            foreach (string name in WalSegmentName.SelectFrom(directory, snapshot.Index))
            {
                string path = Path.Combine(directory, name);
                var file = appendMode
                    ? LockedFile.TryLock(path, FileMode.Open, FileAccess.ReadWrite)
                    : LockedFile.OpenUnlocked(path);
                segments.Add(new WalSegment(file, name));
            }
        }
        catch
        {
            segments.ForEach(s => s.File.Dispose());
            throw;
        }

        var wal = new WriteAheadLog(directory, options, segments, appendMode, new WalSnapshot { Index = snapshot.Index, Term = snapshot.Term });
        wal._decoder = new WalDecoder(segments.Select(s => new SegmentReader(s.File, s.Name)).ToList());
        if (appendMode)
        {
            wal._pipeline = new SegmentPipeline(directory, options.SegmentSizeBytes);
        }
        return wal;
    }

    private WalSegment Tail => _segments[^1];

    private WalEncoder Writable()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_appendMode)
        {
            throw new InvalidOperationException($"wal: {Directory} was opened for reading only");
        }
        if (_failure is not null)
        {
            // A failed fsync may have dropped dirty pages that a later fsync would report as written: nothing
            // appended after a failure can be trusted durable (etcd exits at the first one).
            throw new IOException($"wal: {Directory} refuses appends after an earlier write failed: {_failure.Message}", _failure);
        }
        return _encoder ?? throw new InvalidOperationException($"wal: read all records of {Directory} before appending");
    }

    private void SaveState(WalEncoder encoder, HardState state)
    {
        if (WalPayloadCodec.IsEmpty(state))
        {
            return;
        }
        _state = HardState.Of(state.Term, state.Vote, state.Commit);
        encoder.EncodeHardState(state);
    }

    private void SyncLocked()
    {
        _encoder?.Flush();
        Fdatasync(Tail.File);
    }

    private void Fdatasync(LockedFile file)
    {
        if (!_options.UnsafeNoFsync)
        {
            _options.DataSync.Fdatasync(file);
        }
    }

    // Closes the full segment at the end of its records and continues in a new one whose name
    // carries the next entry index. The new segment starts with a CRC record carrying the chain,
    // the metadata and the last hard state, and is renamed into place only once those are
    // synced, so a segment with a proper name is always readable from its start.
    private void Cut()
    {
        var encoder = _encoder!;
        var pipeline = _pipeline ?? throw new ObjectDisposedException(nameof(WriteAheadLog));
        encoder.Flush();
        Tail.File.Truncate(encoder.Offset);
        SyncLocked();

        var next = pipeline.Take();
        string name = WalSegmentName.Format(Tail.Sequence + 1, _lastIndex + 1);
        try
        {
            encoder.SwitchTo(next, 0);
            encoder.EncodeCrcRecord();
            encoder.EncodeMetadata(_metadata);
            SaveState(encoder, _state);
            encoder.Flush();
            Fdatasync(next);
            string path = Path.Combine(Directory, name);
            File.Move(next.Path, path);
            next.MovedTo(path);
            FileSync.SyncDirectory(Directory);
        }
        catch
        {
            next.Dispose();
            throw;
        }
        _segments.Add(new WalSegment(next, name));
    }

    private void CloseFiles()
    {
        foreach (var segment in _segments)
        {
            segment.File.Dispose();
        }
    }
}
