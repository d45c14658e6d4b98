using System.Runtime.InteropServices;

namespace Cairn.Storage.Bolt.Native;

/// <summary>
/// The few libc calls the engine needs and .NET does not expose with bbolt's semantics: a plain
/// open without .NET's implicit flock, flock with LOCK_NB, mmap/munmap/madvise, fdatasync and
/// ftruncate. Linux x86-64 only (constants below are that ABI's).
/// </summary>
internal static unsafe partial class LinuxSyscalls
{
    private const string Libc = "libc";

    public const int ORdOnly = 0x0;
    public const int ORdWr = 0x2;
    public const int OCreat = 0x40;
    public const int OCloExec = 0x80000;

    public const int LockSh = 1;
    public const int LockEx = 2;
    public const int LockNb = 4;
    public const int LockUn = 8;

    public const int ProtRead = 0x1;
    public const int MapShared = 0x1;
    public const int MapPopulate = 0x8000;
    public const int MadvRandom = 1;

    public const int EIntr = 4;
    public const int EWouldBlock = 11;

    [LibraryImport(Libc, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags, int mode);

    [LibraryImport(Libc, EntryPoint = "flock", SetLastError = true)]
    public static partial int Flock(int fd, int operation);

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

    public static string ErrorText(int errno) => Marshal.GetPInvokeErrorMessage(errno) + $" (errno {errno})";
}
