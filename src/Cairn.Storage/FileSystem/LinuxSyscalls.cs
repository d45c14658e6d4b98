using System.Runtime.InteropServices;

namespace Cairn.Storage.FileSystem;

/// <summary>
/// The few Linux system calls .NET does not expose: fdatasync, fallocate, ftruncate, open-file-
/// description locks (what etcd's <c>pkg/fileutil</c> uses, so cairn and etcd exclude each other
/// on the same data dir) and opening a directory to fsync it.
/// </summary>
internal static class LinuxSyscalls
{
    public const int EINTR = 4;
    public const int EAGAIN = 11;
    public const int EACCES = 13;
    public const int EOPNOTSUPP = 95;

    public const int F_OFD_GETLK = 36;
    public const int F_OFD_SETLK = 37;
    public const int F_OFD_SETLKW = 38;

    public const short F_RDLCK = 0;
    public const short F_WRLCK = 1;
    public const short F_UNLCK = 2;

    public const int O_RDONLY = 0;
    public const int O_DIRECTORY = 0x10000;
    public const int O_CLOEXEC = 0x80000;

    public const int FALLOC_FL_KEEP_SIZE = 1;

    /// <summary><c>struct flock</c> as laid out on 64-bit Linux (x86-64 and arm64).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Flock
    {
        public short Type;
        public short Whence;
        public long Start;
        public long Len;
        public int Pid;
    }

    [DllImport("libc", SetLastError = true)]
    public static extern int fdatasync(int fd);

    [DllImport("libc", SetLastError = true)]
    public static extern int fsync(int fd);

    [DllImport("libc", SetLastError = true)]
    public static extern int fallocate(int fd, int mode, long offset, long len);

    [DllImport("libc", SetLastError = true)]
    public static extern int ftruncate(int fd, long length);

    [DllImport("libc", SetLastError = true)]
    public static extern int fcntl(int fd, int cmd, ref Flock flock);

    [DllImport("libc", SetLastError = true)]
    public static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", SetLastError = true)]
    public static extern int close(int fd);
}
