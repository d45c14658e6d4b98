using System.Runtime.InteropServices;
using Cairn.Server.Logging;

namespace Cairn;

/// <summary>
/// SIGTERM and SIGINT as etcd handles them: the first one starts a graceful stop (its token is cancelled, the
/// server finishes and closes); once stopped, the process dies by that same signal, as etcd re-raises it, so
/// systemd and shells see "killed by SIGTERM" (exit status 0 when running as PID 1, where the kernel would ignore it).
/// </summary>
internal sealed partial class ShutdownSignals : IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly PosixSignalRegistration[] _registrations;
    private ServerLogger? _logger;
    private int _received;

    public ShutdownSignals()
    {
        // A shell starts a background job with SIGINT ignored, and the runtime keeps an ignored
        // signal ignored: `cairn ... &` from a script would then not stop on SIGINT. Go's
        // signal.Notify takes an ignored SIGINT back, so etcd stops on it; so does cairn.
        bool wasIgnored = Handler(SigInt) == SigIgn;
        if (wasIgnored)
        {
            Signal(SigInt, SigDfl);
        }
        _registrations =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal),
            PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal),
        ];
        if (wasIgnored && Handler(SigInt) == SigDfl)
        {
            // The runtime saw the signal ignored before (it set up its signal handling earlier)
            // and did not install its handler: ignored is better than dying on it.
            Signal(SigInt, SigIgn);
        }
    }

    /// <summary>Cancelled by the first SIGTERM or SIGINT.</summary>
    public CancellationToken Stopping => _stopping.Token;

    /// <summary>The Linux number of the signal that stopped the server, or 0.</summary>
    public int ReceivedSignal => Volatile.Read(ref _received);

    /// <summary>Where to log the signal once a logger exists.</summary>
    public void AttachLogger(ServerLogger logger) => _logger = logger.ForPackage("osutil");

    /// <summary>After the server stopped: die by the signal that stopped it (as etcd does), or return its exit status.</summary>
    public int ExitStatus(int serverStatus)
    {
        var signal = ReceivedSignal;
        if (signal == 0)
        {
            return serverStatus;
        }

        Dispose();
        if (Environment.ProcessId == 1)
        {
            return 0;
        }

        Kill(Environment.ProcessId, signal);

        // The default action ends the process; this is only reached if it somehow did not.
        Thread.Sleep(TimeSpan.FromSeconds(1));
        return 128 + signal;
    }

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }
    }

    private void OnSignal(PosixSignalContext context)
    {
        // Keep the runtime from terminating: the server stops gracefully first.
        context.Cancel = true;
        var number = context.Signal == PosixSignal.SIGINT ? SigInt : SigTerm;
        if (Interlocked.CompareExchange(ref _received, number, 0) != 0)
        {
            return;
        }

        var name = number == SigInt ? "interrupt" : "terminated";
        _logger?.Notice("received signal; shutting down", [new LogField("signal", name)], capnslog: $"received {name} signal, shutting down...");
        _stopping.Cancel();
    }

    private const int SigInt = 2;
    private const int SigTerm = 15;
    private const nint SigDfl = 0;
    private const nint SigIgn = 1;

    /// <summary>The handler field of the signal's current action (SIG_DFL, SIG_IGN or a function), or -1 when it cannot be read.</summary>
    private static unsafe nint Handler(int signal)
    {
        // Only read: the runtime may have its own handler there, which must stay as it is. The
        // handler is the first field of struct sigaction; the buffer is larger than the struct.
        var current = stackalloc byte[512];
        return SigAction(signal, null, current) == 0 ? *(nint*)current : -1;
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    [LibraryImport("libc", EntryPoint = "signal")]
    private static partial nint Signal(int signal, nint handler);

    [LibraryImport("libc", EntryPoint = "sigaction")]
    private static unsafe partial int SigAction(int signal, byte* action, byte* previous);
}
