using System.Runtime.InteropServices;

namespace Cairn.Storage.Native;

/// <summary>
/// The Linux system calls .NET does not expose with the semantics etcd's and bbolt's files need:
/// a plain open (no implicit .NET flock), flock with LOCK_NB (bbolt's lock), open-file-description
/// locks (etcd's pkg/fileutil, so cairn and etcd exclude each other on one data dir),
/// mmap/munmap/madvise, fdatasync, fsync, ftruncate, fallocate, close. Constants carry their C
/// names and are the Linux 64-bit (x86-64, arm64) values.
/// </summary>
internal static partial class LinuxSyscalls
{
    private const string Libc = "libc";

    public const int EINTR = 4;
    public const int EAGAIN = 11;
    public const int EWOULDBLOCK = EAGAIN;
    public const int EACCES = 13;
    public const int EFBIG = 27;
    public const int EOPNOTSUPP = 95;

    public const int O_RDONLY = 0x0;
    public const int O_RDWR = 0x2;
    public const int O_CREAT = 0x40;
    public const int O_DIRECTORY = 0x10000;
    public const int O_CLOEXEC = 0x80000;

    public const int LOCK_SH = 1;
    public const int LOCK_EX = 2;
    public const int LOCK_NB = 4;

    public const int F_OFD_SETLK = 37;
    public const int F_OFD_SETLKW = 38;

    public const short F_WRLCK = 1;
    public const short F_UNLCK = 2;

    public const int PROT_READ = 0x1;
    public const int MAP_SHARED = 0x1;
    public const int MAP_POPULATE = 0x8000;
    public const int MADV_RANDOM = 1;

    public const int FALLOC_FL_KEEP_SIZE = 1;

    /// <summary><c>struct flock</c> as fcntl's locking commands take it.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct FcntlLock
    {
        public short Type;
        public short Whence;
        public long Start;
        public long Len;
        public int Pid;
    }

    [LibraryImport(Libc, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags, int mode = 0);

    [LibraryImport(Libc, EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport(Libc, EntryPoint = "flock", SetLastError = true)]
    public static partial int Flock(int fd, int operation);

    [LibraryImport(Libc, EntryPoint = "fcntl", SetLastError = true)]
    public static partial int Fcntl(int fd, int cmd, ref FcntlLock lockRange);

    [LibraryImport(Libc, EntryPoint = "mmap", SetLastError = true)]
    public static partial nint Mmap(nint addr, nuint length, int prot, int flags, int fd, long offset);

    [LibraryImport(Libc, EntryPoint = "munmap", SetLastError = true)]
    public static partial int Munmap(nint addr, nuint length);

    [LibraryImport(Libc, EntryPoint = "madvise", SetLastError = true)]
    public static partial int Madvise(nint addr, nuint length, int advice);

    [LibraryImport(Libc, EntryPoint = "fdatasync", SetLastError = true)]
    public static partial int Fdatasync(int fd);

    [LibraryImport(Libc, EntryPoint = "fsync", SetLastError = true)]
    public static partial int Fsync(int fd);

    [LibraryImport(Libc, EntryPoint = "ftruncate", SetLastError = true)]
    public static partial int Ftruncate(int fd, long length);

    [LibraryImport(Libc, EntryPoint = "fallocate", SetLastError = true)]
    public static partial int Fallocate(int fd, int mode, long offset, long len);

    public static string ErrorText(int errno) => Marshal.GetPInvokeErrorMessage(errno) + $" (errno {errno})";
}
