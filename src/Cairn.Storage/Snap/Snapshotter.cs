using Cairn.Protocol.Raftpb;
using Cairn.Storage.FileSystem;
using WalSnapshot = Cairn.Protocol.Walpb.Snapshot;

namespace Cairn.Storage.Snap;

/// <summary>
/// etcd's snapshotter (<c>etcdserver/api/snap</c>) over a snap directory (<c>member/snap</c>):
/// raft snapshots in <c>%016x-%016x.snap</c> files, and backend files received with a snapshot
/// in <c>%016x.snap.db</c>. File I/O here is synchronous and fsyncs; call it off latency-critical threads.
/// </summary>
public sealed class Snapshotter
{
    public Snapshotter(string directory)
    {
        Directory = directory;
    }

    public string Directory { get; }

    /// <summary>
    /// Writes <paramref name="snapshot"/> to <c>&lt;term&gt;-&lt;index&gt;.snap</c> and fsyncs it; an empty
    /// snapshot (index 0) is not written. A partly written file is removed.
    /// </summary>
    public void SaveSnap(Snapshot snapshot)
    {
        ulong index = snapshot.Metadata?.Index ?? 0;
        if (index == 0)
        {
            return;
        }
        byte[] bytes = SnapFileCodec.Encode(snapshot);
        string path = Path.Combine(Directory, SnapFileName.Snap(snapshot.Metadata!.Term, index));
        try
        {
            FileSync.WriteAndSyncFile(path, bytes);
            // Make the new name durable too (etcd does not): the WAL's snapshot record, written
            // next, must never point at a file a crash could take back.
            FileSync.SyncDirectory(Directory);
        }
        catch (IOException)
        {
            TryDelete(path);
            throw;
        }
    }

    /// <summary>The newest snapshot that loads; broken files on the way are renamed <c>.broken</c>.</summary>
    public Snapshot Load() => LoadMatching(_ => true);

    /// <summary>
    /// The newest snapshot that loads and is one of <paramref name="walSnapshots"/> (same index
    /// and term): what a restart may use, since the WAL can be opened at it.
    /// </summary>
    public Snapshot LoadNewestAvailable(IEnumerable<WalSnapshot> walSnapshots)
    {
        var available = walSnapshots.Select(s => (s.Index, s.Term)).ToHashSet();
        return LoadMatching(s => available.Contains((s.Metadata.Index, s.Metadata.Term)));
    }

    /// <summary>Reads and verifies one snap file.</summary>
    public static Snapshot Read(string path) => SnapFileCodec.Decode(File.ReadAllBytes(path), path);

    /// <summary>
    /// The <c>.snap</c> names, newest first. Removes orphaned defragmentation files (<c>db.tmp*</c>)
    /// on the way, as etcd does.
    /// </summary>
    public IReadOnlyList<string> SnapNames()
    {
        var snaps = new List<string>();
        foreach (string name in DirectoryNames.Read(Directory))
        {
            if (name.StartsWith("db.tmp", StringComparison.Ordinal))
            {
                TryDelete(Path.Combine(Directory, name));
            }
            else if (name.EndsWith(SnapFileName.SnapSuffix, StringComparison.Ordinal))
            {
                snaps.Add(name);
            }
        }
        snaps.Sort(StringComparer.Ordinal);
        snaps.Reverse();
        return snaps;
    }

    /// <summary>
    /// Stores a backend file received with a snapshot at <paramref name="index"/> as
    /// <c>&lt;index&gt;.snap.db</c>: written to a temporary file, fsynced, renamed into place (kept
    /// as is if one already exists). Returns the number of bytes read from <paramref name="source"/>.
    /// </summary>
    public async Task<long> SaveDbFromAsync(Stream source, ulong index, CancellationToken cancellation = default)
    {
        string tmp = Path.Combine(Directory, $"tmp{Guid.NewGuid():N}");
        long written;
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Options = FileOptions.Asynchronous };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }
            await using (var file = new FileStream(tmp, options))
            {
                await source.CopyToAsync(file, cancellation).ConfigureAwait(false);
                written = file.Length;
                await file.FlushAsync(cancellation).ConfigureAwait(false);
                FileSync.Fsync(file.SafeFileHandle, tmp);
            }
            string target = Path.Combine(Directory, SnapFileName.Db(index));
            if (File.Exists(target))
            {
                TryDelete(tmp);
                return written;
            }
            File.Move(tmp, target);
            FileSync.SyncDirectory(Directory);
            return written;
        }
        catch
        {
            TryDelete(tmp);
            throw;
        }
    }

    /// <summary>The path of <c>&lt;index&gt;.snap.db</c>; throws <see cref="SnapErrorKind.NoDbSnapshot"/> if absent.</summary>
    public string DbFilePath(ulong index)
    {
        string path = Path.Combine(Directory, SnapFileName.Db(index));
        return File.Exists(path) ? path : throw new SnapException(SnapErrorKind.NoDbSnapshot, path);
    }

    /// <summary>
    /// Swaps the backend received with the snapshot at <paramref name="index"/> in as the live
    /// backend file (etcd's <c>openSnapshotBackend</c>: a rename over <paramref name="backendPath"/>).
    /// </summary>
    public void InstallDb(ulong index, string backendPath)
    {
        File.Move(DbFilePath(index), backendPath, overwrite: true);
        FileSync.SyncDirectory(Path.GetDirectoryName(Path.GetFullPath(backendPath))!);
    }

    /// <summary>Removes <c>.snap.db</c> files older than the snapshot at <paramref name="index"/> (etcd's <c>ReleaseSnapDBs</c>).</summary>
    public IReadOnlyList<string> ReleaseSnapDbs(ulong index)
    {
        var removed = new List<string>();
        foreach (string name in DirectoryNames.Read(Directory))
        {
            if (SnapFileName.TryParseDb(name, out ulong dbIndex) && dbIndex < index)
            {
                TryDelete(Path.Combine(Directory, name));
                removed.Add(name);
            }
        }
        return removed;
    }

    /// <summary>
    /// One pass of etcd's <c>--max-snapshots</c> purge: keeps the newest <paramref name="maxSnapshots"/>
    /// <c>.snap.db</c> and <c>.snap</c> files and removes the older ones. Returns the names removed.
    /// </summary>
    public IReadOnlyList<string> Purge(int maxSnapshots) =>
        [.. FilePurger.PurgeOnce(Directory, "snap.db", maxSnapshots), .. FilePurger.PurgeOnce(Directory, "snap", maxSnapshots)];

    private Snapshot LoadMatching(Func<Snapshot, bool> match)
    {
        IReadOnlyList<string> names;
        try
        {
            names = SnapNames();
        }
        catch (DirectoryNotFoundException)
        {
            throw new SnapException(SnapErrorKind.NoSnapshot, Directory);
        }
        foreach (string name in names)
        {
            string path = Path.Combine(Directory, name);
            Snapshot snapshot;
            try
            {
                snapshot = Read(path);
            }
            catch (IOException)
            {
                MoveAsideBroken(path);
                continue;
            }
            if (match(snapshot))
            {
                return snapshot;
            }
        }
        throw new SnapException(SnapErrorKind.NoSnapshot, Directory);
    }

    private static void MoveAsideBroken(string path)
    {
        try
        {
            File.Move(path, path + ".broken", overwrite: true);
        }
        catch (IOException)
        {
            // as etcd: the file stays and is skipped again next time
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // best effort: a leftover temporary file is harmless
        }
    }
}
