using System.Runtime.InteropServices;
using Cairn.Storage.Native;
using Microsoft.Win32.SafeHandles;

namespace Cairn.Storage.FileSystem;

/// <summary>Exclusive whole-file locks of the kind etcd takes (open-file-description locks on Linux).</summary>
internal static class FileLocks
{
    public static void LockExclusive(SafeFileHandle handle, string path, bool wait)
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // Cairn's data dirs are shared with etcd on Linux only; elsewhere there is no peer to exclude.
        }
        var flock = new LinuxSyscalls.FcntlLock { Type = LinuxSyscalls.F_WRLCK, Whence = 0, Start = 0, Len = 0 };
        int fd = (int)handle.DangerousGetHandle();
        while (true)
        {
            int rc = LinuxSyscalls.Fcntl(fd, wait ? LinuxSyscalls.F_OFD_SETLKW : LinuxSyscalls.F_OFD_SETLK, ref flock);
            if (rc == 0)
            {
                return;
            }
            int errno = Marshal.GetLastPInvokeError();
            if (errno == LinuxSyscalls.EINTR)
            {
                continue;
            }
            if (!wait && errno is LinuxSyscalls.EAGAIN or LinuxSyscalls.EACCES)
            {
                throw new FileLockedException(path);
            }
            throw SyscallError.For("fcntl(F_OFD_SETLK)", path, errno);
        }
    }

    public static void Unlock(SafeFileHandle handle)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        var flock = new LinuxSyscalls.FcntlLock { Type = LinuxSyscalls.F_UNLCK, Whence = 0, Start = 0, Len = 0 };
        LinuxSyscalls.Fcntl((int)handle.DangerousGetHandle(), LinuxSyscalls.F_OFD_SETLK, ref flock); // closing releases it anyway
    }
}
