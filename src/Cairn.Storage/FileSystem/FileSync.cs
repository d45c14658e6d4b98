using Cairn.Storage.Native;
using Microsoft.Win32.SafeHandles;

namespace Cairn.Storage.FileSystem;

/// <summary>
/// Durability primitives as etcd's <c>pkg/fileutil</c>: fdatasync for WAL appends (data and the
/// size, not timestamps), fsync for files and directories whose metadata matters (renames).
/// These block the calling thread for the duration of the disk flush.
/// </summary>
public static class FileSync
{
    public static void Fdatasync(SafeFileHandle handle, string path)
    {
        if (OperatingSystem.IsLinux())
        {
            SyscallError.ThrowIfFailed(LinuxSyscalls.Fdatasync((int)handle.DangerousGetHandle()), "fdatasync", path);
        }
        else
        {
            RandomAccess.FlushToDisk(handle);
        }
    }

    public static void Fsync(SafeFileHandle handle, string path)
    {
        if (OperatingSystem.IsLinux())
        {
            SyscallError.ThrowIfFailed(LinuxSyscalls.Fsync((int)handle.DangerousGetHandle()), "fsync", path);
        }
        else
        {
            RandomAccess.FlushToDisk(handle);
        }
    }

    public static void Truncate(SafeFileHandle handle, long length, string path)
    {
        if (OperatingSystem.IsLinux())
        {
            SyscallError.ThrowIfFailed(LinuxSyscalls.Ftruncate((int)handle.DangerousGetHandle(), length), "ftruncate", path);
        }
        else
        {
            RandomAccess.SetLength(handle, length);
        }
    }

    /// <summary>Makes the entries of <paramref name="directory"/> (creations, renames, removals) durable.</summary>
    public static void SyncDirectory(string directory)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        int fd = LinuxSyscalls.Open(directory, LinuxSyscalls.O_RDONLY | LinuxSyscalls.O_DIRECTORY | LinuxSyscalls.O_CLOEXEC);
        if (fd < 0)
        {
            throw SyscallError.For("open", directory, System.Runtime.InteropServices.Marshal.GetLastPInvokeError());
        }
        try
        {
            SyscallError.ThrowIfFailed(LinuxSyscalls.Fsync(fd), "fsync", directory);
        }
        finally
        {
            LinuxSyscalls.Close(fd);
        }
    }

    /// <summary>Writes <paramref name="data"/> to a new or truncated file and fsyncs it (etcd's <c>WriteAndSyncFile</c>).</summary>
    public static void WriteAndSyncFile(string path, ReadOnlySpan<byte> data)
    {
        using var handle = File.OpenHandle(path, FileMode.Create, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        RandomAccess.Write(handle, data, 0);
        Fsync(handle, path);
    }
}
