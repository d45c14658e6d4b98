using System.Runtime.InteropServices;

namespace Cairn.Tests.Processes;

/// <summary>kill(2) for the signals a test sends to a process: SIGTERM (graceful stop), SIGINT, SIGKILL, SIGSTOP/SIGCONT.</summary>
internal static partial class PosixSignals
{
    public const int Interrupt = 2;
    public const int Kill9 = 9;
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
