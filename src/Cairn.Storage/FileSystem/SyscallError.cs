using System.Runtime.InteropServices;

namespace Cairn.Storage.FileSystem;

/// <summary>Turns a failed system call into an exception that names the call and the file.</summary>
internal static class SyscallError
{
    public static IOException For(string call, string path, int errno) =>
        new($"{call} {path}: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})", errno);

    public static void ThrowIfFailed(int result, string call, string path)
    {
        if (result != 0)
        {
            throw For(call, path, Marshal.GetLastPInvokeError());
        }
    }
}
