using Cairn.Storage.Native;
using Microsoft.Win32.SafeHandles;

namespace Cairn.Storage.FileSystem;

/// <summary>
/// Positional writes that fail as I/O errors naming the file. .NET reports EFBIG (a write past the file size limit:
/// RLIMIT_FSIZE, or the file system's largest file) as an ArgumentOutOfRangeException about a parameter "value",
/// which neither names the file nor reads as the disk problem it is, and escapes handlers written for IOException.
/// </summary>
public static class FileWrites
{
    public static void Write(SafeFileHandle handle, ReadOnlySpan<byte> data, long offset, string path)
    {
        try
        {
            RandomAccess.Write(handle, data, offset);
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw FileTooLarge(path, e);
        }
    }

    public static void Write(SafeFileHandle handle, IReadOnlyList<ReadOnlyMemory<byte>> buffers, long offset, string path)
    {
        try
        {
            RandomAccess.Write(handle, buffers, offset);
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw FileTooLarge(path, e);
        }
    }

    /// <summary>Go's wording, as etcd reports it: "write /path: file too large".</summary>
    private static IOException FileTooLarge(string path, ArgumentOutOfRangeException e) =>
        new($"write {path}: file too large (errno {LinuxSyscalls.EFBIG})", e);
}
