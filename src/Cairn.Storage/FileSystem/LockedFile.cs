using Microsoft.Win32.SafeHandles;

namespace Cairn.Storage.FileSystem;

/// <summary>
/// An open file holding an exclusive lock, as etcd's <c>fileutil.LockedFile</c>: on Linux an
/// open-file-description write lock (<c>F_OFD_SETLK</c>), the kind etcd 3.4 takes, so a cairn and
/// an etcd process on the same data dir exclude each other. The lock lives as long as the handle;
/// disposing closes both. Reads and writes are positional: the file has no shared cursor.
/// </summary>
public sealed class LockedFile : IDisposable
{
    private readonly FileStream _stream;
    private readonly bool _locked;

    private LockedFile(string path, FileStream stream, bool locked)
    {
        Path = path;
        _stream = stream;
        // Taken once: FileStream's getter re-seeks the descriptor to the stream's position on
        // every call, an lseek per write that positional I/O does not need.
        Handle = stream.SafeFileHandle;
        _locked = locked;
    }

    /// <summary>Where the file is: the path it was opened at, or where <see cref="MovedTo"/> says it went.</summary>
    public string Path { get; private set; }

    public SafeFileHandle Handle { get; }

    public long Length => RandomAccess.GetLength(Handle);

    /// <summary>Opens <paramref name="path"/> and waits until the lock is granted.</summary>
    public static LockedFile Lock(string path, FileMode mode, FileAccess access) =>
        OpenLocked(path, mode, access, wait: true);

    /// <summary>Opens <paramref name="path"/> and takes the lock, or throws <see cref="FileLockedException"/>.</summary>
    public static LockedFile TryLock(string path, FileMode mode, FileAccess access) =>
        OpenLocked(path, mode, access, wait: false);

    /// <summary>Opens a file for reading without any lock (etcd's read-only WAL mode).</summary>
    public static LockedFile OpenUnlocked(string path) =>
        new(path, Open(path, FileMode.Open, FileAccess.Read), locked: false);

    public void Write(ReadOnlySpan<byte> data, long offset) => FileWrites.Write(Handle, data, offset, Path);

    public int Read(Span<byte> buffer, long offset) => RandomAccess.Read(Handle, buffer, offset);

    /// <summary>Reads until <paramref name="buffer"/> is full or the file ends; returns the count read.</summary>
    public int ReadAtMost(Span<byte> buffer, long offset)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int n = Read(buffer[total..], offset + total);
            if (n == 0)
            {
                break;
            }
            total += n;
        }
        return total;
    }

    public void Truncate(long length) => FileSync.Truncate(Handle, length, Path);

    public void Fdatasync() => FileSync.Fdatasync(Handle, Path);

    public void Fsync() => FileSync.Fsync(Handle, Path);

    /// <summary>Reserves disk space as etcd's <c>fileutil.Preallocate</c>.</summary>
    public void Preallocate(long size, bool extendFile) => Preallocation.Preallocate(Handle, size, extendFile, Path);

    /// <summary>Records that the file (or its directory) was renamed while open; the handle and lock stay.</summary>
    public void MovedTo(string path) => Path = path;

    public void Dispose()
    {
        if (_locked && !Handle.IsClosed)
        {
            // Unlock explicitly rather than by closing: a process being spawned right now shares
            // this open file description until it execs, and would keep the lock held after our close.
            FileLocks.Unlock(Handle);
        }
        _stream.Dispose();
    }

    private static LockedFile OpenLocked(string path, FileMode mode, FileAccess access, bool wait)
    {
        var stream = Open(path, mode, access);
        try
        {
            FileLocks.LockExclusive(stream.SafeFileHandle, path, wait);
            return new LockedFile(path, stream, locked: true);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    private static FileStream Open(string path, FileMode mode, FileAccess access)
    {
        var options = new FileStreamOptions
        {
            Mode = mode,
            Access = access,
            // The lock that matters is the OFD lock; share everything so that .NET's own
            // flock emulation stays out of the way of etcd's tools.
            Share = FileShare.ReadWrite | FileShare.Delete,
            BufferSize = 0,
        };
        if (!OperatingSystem.IsWindows() && mode is FileMode.Create or FileMode.CreateNew or FileMode.OpenOrCreate)
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        return new FileStream(path, options);
    }
}
