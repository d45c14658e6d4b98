using System.Runtime.InteropServices;
using Cairn.Storage.FileSystem;
using Cairn.Storage.Native;
using Microsoft.Win32.SafeHandles;

namespace Cairn.Storage.Bolt.Storage;

/// <summary>
/// The database file: positioned reads and writes, fdatasync, growth by ftruncate, and bbolt's
/// advisory flock (exclusive for a writer, shared for a read-only open) so that two processes,
/// bbolt or Cairn, cannot write one file at the same time.
/// </summary>
internal sealed class DatabaseFile : IDisposable
{
    private readonly SafeFileHandle _handle;

    private DatabaseFile(string path, int fd, bool readOnly)
    {
        Path = path;
        Descriptor = fd;
        ReadOnly = readOnly;
        _handle = new SafeFileHandle(fd, ownsHandle: true);
    }

    public string Path { get; }

    public int Descriptor { get; }

    public bool ReadOnly { get; }

    public static DatabaseFile Open(string path, bool readOnly, int mode)
    {
        var flags = (readOnly ? LinuxSyscalls.O_RDONLY : LinuxSyscalls.O_RDWR | LinuxSyscalls.O_CREAT) | LinuxSyscalls.O_CLOEXEC;
        var fd = LinuxSyscalls.Open(path, flags, mode);
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno == 2)
            {
                throw new FileNotFoundException($"bolt: {path}: no such file", path);
            }
            throw BoltErrors.Io(path, "open", errno);
        }
        return new DatabaseFile(path, fd, readOnly);
    }

    /// <summary>Takes the flock, retrying every 50 ms (as bbolt) until <paramref name="timeout"/>; zero waits forever.</summary>
    public void Lock(bool exclusive, TimeSpan timeout)
    {
        var operation = (exclusive ? LinuxSyscalls.LOCK_EX : LinuxSyscalls.LOCK_SH) | LinuxSyscalls.LOCK_NB;
        var started = Environment.TickCount64;
        while (true)
        {
            if (LinuxSyscalls.Flock(Descriptor, operation) == 0)
            {
                return;
            }
            var errno = Marshal.GetLastPInvokeError();
            if (errno == LinuxSyscalls.EINTR)
            {
                continue;
            }
            if (errno != LinuxSyscalls.EWOULDBLOCK)
            {
                throw BoltErrors.Io(Path, "flock", errno);
            }
            if (timeout > TimeSpan.Zero && Environment.TickCount64 - started >= (long)timeout.TotalMilliseconds)
            {
                throw BoltErrors.LockTimeout(Path);
            }
            Thread.Sleep(50);
        }
    }

    /// <summary>See <see cref="BoltOptions.CrashBeforeWrite"/>.</summary>
    public Func<long, int, int>? CrashBeforeWrite { get; set; }

    public long Length => RandomAccess.GetLength(_handle);

    public int ReadAt(Span<byte> buffer, long offset) => RandomAccess.Read(_handle, buffer, offset);

    public void WriteAt(ReadOnlySpan<byte> buffer, long offset)
    {
        if (CrashBeforeWrite?.Invoke(offset, buffer.Length) is { } allowed && allowed < buffer.Length)
        {
            RandomAccess.Write(_handle, buffer[..Math.Max(allowed, 0)], offset);
            throw BoltErrors.Io(Path, "write (simulated crash)", new IOException("simulated crash"));
        }
        try
        {
            FileWrites.Write(_handle, buffer, offset, Path);
        }
        catch (IOException e)
        {
            throw BoltErrors.Io(Path, $"write of {buffer.Length} bytes at offset {offset}", e);
        }
    }

    /// <summary>One pwritev for a run of contiguous pages.</summary>
    public void WriteAt(IReadOnlyList<ReadOnlyMemory<byte>> buffers, long offset)
    {
        if (CrashBeforeWrite is not null)
        {
            foreach (var buffer in buffers)
            {
                WriteAt(buffer.Span, offset);
                offset += buffer.Length;
            }
            return;
        }
        try
        {
            FileWrites.Write(_handle, buffers, offset, Path);
        }
        catch (IOException e)
        {
            throw BoltErrors.Io(Path, $"write of {buffers.Count} buffers at offset {offset}", e);
        }
    }

    public void DataSync()
    {
        while (LinuxSyscalls.Fdatasync(Descriptor) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno != LinuxSyscalls.EINTR)
            {
                throw BoltErrors.Io(Path, "fdatasync", errno);
            }
        }
    }

    public void Sync()
    {
        while (LinuxSyscalls.Fsync(Descriptor) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno != LinuxSyscalls.EINTR)
            {
                throw BoltErrors.Io(Path, "fsync", errno);
            }
        }
    }

    public void Truncate(long length)
    {
        if (LinuxSyscalls.Ftruncate(Descriptor, length) != 0)
        {
            throw BoltErrors.Io(Path, $"ftruncate to {length} bytes", Marshal.GetLastPInvokeError());
        }
    }

    public void Dispose()
    {
        // Closing the descriptor drops the flock with it.
        _handle.Dispose();
    }
}
