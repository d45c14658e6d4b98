using System.Runtime.InteropServices;

namespace Cairn.Tests.Processes;

/// <summary>kill(2) for the signals a test sends to a server: SIGTERM (graceful stop), SIGSTOP/SIGCONT.</summary>
internal static partial class PosixSignals
{
    public const int Terminate = 15;
    public const int Stop = 19;
    public const int Continue = 18;

    public static void Send(int pid, int signal)
    {
        if (Kill(pid, signal) != 0)
        {
            throw new InvalidOperationException($"kill({pid}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
