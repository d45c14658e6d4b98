using System.Collections.Concurrent;
using System.Diagnostics;

namespace Cairn.Tests.Processes;

/// <summary>
/// Every server and command this test run starts, so that none outlives it. Each fixture kills its own process when
/// it is disposed; this is the last resort for a test host that exits with processes still running (an assertion
/// thrown between start and dispose, a cancelled run). It is static on purpose: the exit hook is per test host.
/// </summary>
internal static class ChildProcesses
{
    private static readonly ConcurrentDictionary<int, Process> Running = new();

    static ChildProcesses()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAll();
    }

    /// <summary>Starts a process and tracks it until it exits.</summary>
    public static Process Start(ProcessStartInfo start)
    {
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.Exited += (_, _) => Running.TryRemove(process.Id, out Process? _);
        if (!process.Start())
        {
            throw new InvalidOperationException($"could not start {start.FileName}");
        }

        Running[process.Id] = process;
        if (process.HasExited)
        {
            Running.TryRemove(process.Id, out _);
        }

        return process;
    }

    /// <summary>An environment holding none of the variables etcd, etcdctl or systemd would read but the ones given.</summary>
    public static void ClearEtcdEnvironment(ProcessStartInfo start)
    {
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("ETCD", StringComparison.Ordinal) || k == "NOTIFY_SOCKET").ToList())
        {
            start.Environment.Remove(key);
        }
    }

    private static void KillAll()
    {
        foreach (var process in Running.Values)
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }
        }
    }
}
