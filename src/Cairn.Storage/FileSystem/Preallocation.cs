using System.Runtime.InteropServices;
using Cairn.Storage.Native;
using Microsoft.Win32.SafeHandles;

namespace Cairn.Storage.FileSystem;

/// <summary>
/// Disk space reservation as etcd's <c>fileutil.Preallocate</c> and <c>ZeroToEnd</c>: WAL segments
/// are allocated up front (64 MB) so that appends never wait for the file system to find blocks,
/// and their unused tail reads as zeros, which the WAL decoder takes as the end of the log.
/// </summary>
public static class Preallocation
{
    /// <summary>
    /// Reserves <paramref name="size"/> bytes. With <paramref name="extendFile"/> the file's size
    /// becomes at least <paramref name="size"/> (fallocate mode 0, else extended by truncation);
    /// without, blocks are reserved and the size kept (FALLOC_FL_KEEP_SIZE).
    /// </summary>
    public static void Preallocate(SafeFileHandle handle, long size, bool extendFile, string path)
    {
        if (size == 0)
        {
            return; // fallocate rejects a zero length
        }
        if (!OperatingSystem.IsLinux())
        {
            if (extendFile && RandomAccess.GetLength(handle) < size)
            {
                RandomAccess.SetLength(handle, size);
            }
            return;
        }
        int mode = extendFile ? 0 : LinuxSyscalls.FALLOC_FL_KEEP_SIZE;
        if (LinuxSyscalls.Fallocate((int)handle.DangerousGetHandle(), mode, 0, size) == 0)
        {
            return;
        }
        int errno = Marshal.GetLastPInvokeError();
        if (errno == LinuxSyscalls.EOPNOTSUPP || (extendFile && errno == LinuxSyscalls.EINTR))
        {
            // Not supported by the file system (or interrupted, which some environments do often):
            // fall back as etcd does, by extending the size without reserving blocks.
            if (extendFile && RandomAccess.GetLength(handle) < size)
            {
                FileSync.Truncate(handle, size, path);
            }
            return;
        }
        throw SyscallError.For("fallocate", path, errno);
    }

    /// <summary>
    /// Zeroes the file from <paramref name="offset"/> to its end, keeping its size and blocks
    /// (truncate, then preallocate back to the old size).
    /// </summary>
    public static void ZeroToEnd(SafeFileHandle handle, long offset, string path)
    {
        long length = RandomAccess.GetLength(handle);
        FileSync.Truncate(handle, offset, path);
        Preallocate(handle, length, extendFile: true, path);
    }
}
