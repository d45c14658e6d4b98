using System.Diagnostics;
using System.Text;

namespace Cairn.Tests.Watch;

/// <summary>
/// A step of a watch session: once the output so far satisfies <see cref="When"/>, type
/// <see cref="Line"/> (interactive mode) or run <see cref="Action"/> (writes from another client).
/// </summary>
internal sealed record Step(Func<string, bool> When, string? Line, Func<Task>? Action)
{
    public static Step Type(Func<string, bool> when, string line) => new(when, line, null);

    public static Step Run(Func<string, bool> when, Func<Task> action) => new(when, null, action);
}

/// <summary>What an etcdctl run printed.</summary>
internal sealed record EtcdctlOutcome(int? ExitCode, string Stdout, string Stderr);

/// <summary>
/// Runs etcdctl (v3 API) against one server. A watch never ends by itself: those runs stop once
/// stdout shows what the test waits for, or when the lines given on stdin are used up.
/// </summary>
internal static class Etcdctl
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>Runs a command that ends by itself (put, del, compact...).</summary>
    public static async Task<EtcdctlOutcome> RunAsync(WatchServer server, params string[] args)
    {
        var result = await new Processes.Etcdctl(server.Endpoint).RunAsync(args, timeout: Patience);
        return new EtcdctlOutcome(result.ExitCode, result.Stdout, result.Stderr);
    }

    /// <summary>Runs a command and checks it succeeded.</summary>
    public static async Task<string> OkAsync(WatchServer server, params string[] args)
    {
        var outcome = await RunAsync(server, args);
        Assert.True(outcome.ExitCode == 0, $"etcdctl {string.Join(' ', args)} against {server.Name}: {outcome.Stderr}");
        return outcome.Stdout;
    }

    /// <summary>
    /// Runs a watch until its stdout satisfies <paramref name="done"/> (then it is killed), or it
    /// exits by itself. Interactive sessions get <paramref name="script"/>: each step waits for
    /// its condition on the output so far, then types its line or runs its action.
    /// </summary>
    public static async Task<EtcdctlOutcome> WatchAsync(WatchServer server, string[] args, Func<string, bool> done, params Step[] script)
    {
        using var process = Start(server, args, stdin: true);
        var stdout = new StringBuilder();
        var changed = new SemaphoreSlim(0);
        var reading = Task.Run(async () =>
        {
            var buffer = new char[4096];
            int n;
            while ((n = await process.StandardOutput.ReadAsync(buffer)) > 0)
            {
                lock (stdout)
                {
                    stdout.Append(buffer, 0, n);
                }
                changed.Release();
            }
            changed.Release();
        });
        var stderr = process.StandardError.ReadToEndAsync();
        string Output()
        {
            lock (stdout)
            {
                return stdout.ToString();
            }
        }

        var deadline = DateTime.UtcNow + Patience;
        int step = 0;
        try
        {
            while (!done(Output()) && !process.HasExited)
            {
                if (step < script.Length && script[step].When(Output()))
                {
                    if (script[step].Line is { } line)
                    {
                        await process.StandardInput.WriteLineAsync(line);
                        await process.StandardInput.FlushAsync();
                    }
                    if (script[step].Action is { } action)
                    {
                        await action();
                    }
                    step++;
                    continue;
                }
                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero)
                {
                    throw new TimeoutException($"etcdctl {string.Join(' ', args)} against {server.Name}: waited {Patience}; output so far:\n{Output()}");
                }
                await changed.WaitAsync(TimeSpan.FromMilliseconds(Math.Min(100, left.TotalMilliseconds)));
            }
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
            await process.WaitForExitAsync();
            await reading;
        }
        return new EtcdctlOutcome(process.ExitCode, Output(), await stderr);
    }

    private static Process Start(WatchServer server, string[] args, bool stdin)
    {
        var start = new ProcessStartInfo("etcdctl")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("--endpoints");
        start.ArgumentList.Add(server.Endpoint);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        Processes.ChildProcesses.ClearEtcdEnvironment(start);
        start.Environment["ETCDCTL_API"] = "3";
        return Processes.ChildProcesses.Start(start);
    }
}
