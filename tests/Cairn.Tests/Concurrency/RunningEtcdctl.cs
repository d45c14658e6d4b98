using System.Diagnostics;
using Cairn.Tests.Processes;

namespace Cairn.Tests.Concurrency;

/// <summary>
/// A long-running etcdctl (lock, elect) against one endpoint: its standard output read line by
/// line as it comes, awaitable; stopped with SIGTERM (etcdctl unlocks or resigns on it) or killed
/// with SIGKILL (its session's lease is then left to expire). Killed at dispose if still running.
/// </summary>
internal sealed class RunningEtcdctl : IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly System.Text.StringBuilder _errors = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _ended;

    private RunningEtcdctl(string endpoint, string[] args)
    {
        Arguments = string.Join(' ', args);
        var start = new ProcessStartInfo("etcdctl")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { $"--endpoints={endpoint}", "--dial-timeout=5s" }.Concat(args))
        {
            start.ArgumentList.Add(arg);
        }
        ChildProcesses.ClearEtcdEnvironment(start);
        start.Environment["ETCDCTL_API"] = "3";
        _process = ChildProcesses.Start(start);
        _process.OutputDataReceived += (_, e) => Receive(e.Data);
        _process.ErrorDataReceived += (_, e) =>
        {
            lock (_errors)
            {
                _errors.AppendLine(e.Data);
            }
        };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Arguments { get; }

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }
    }

    public static RunningEtcdctl Start(string endpoint, params string[] args) => new(endpoint, args);

    /// <summary>Waits until at least <paramref name="count"/> lines were printed; returns them all.</summary>
    public async Task<IReadOnlyList<string>> LinesAsync(int count)
    {
        using var timeout = new CancellationTokenSource(Patience);
        while (true)
        {
            Task changed;
            lock (_lines)
            {
                if (_lines.Count >= count)
                {
                    return [.. _lines];
                }
                if (_ended)
                {
                    throw new InvalidOperationException($"etcdctl {Arguments} ended after printing {_lines.Count} of {count} lines: {Describe()}");
                }
                changed = _changed.Task;
            }
            try
            {
                await changed.WaitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"etcdctl {Arguments} printed {_lines.Count} of {count} lines in {Patience}: {Describe()}");
            }
        }
    }

    /// <summary>SIGTERM and the exit status.</summary>
    public async Task<int> TerminateAsync()
    {
        PosixSignals.Send(_process.Id, PosixSignals.Terminate);
        return await ExitAsync();
    }

    /// <summary>Waits for the exit; its status.</summary>
    public async Task<int> ExitAsync()
    {
        using var timeout = new CancellationTokenSource(Patience);
        await _process.WaitForExitAsync(timeout.Token);
        return _process.ExitCode;
    }

    /// <summary>SIGKILL: nothing is unlocked or resigned; the session's lease is no longer kept alive.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync();
    }

    public string Describe()
    {
        lock (_errors)
        {
            return $"stdout [{string.Join(" | ", Lines)}] stderr [{_errors.ToString().Trim()}]";
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            await KillAsync();
        }
        _process.Dispose();
    }

    private void Receive(string? line)
    {
        TaskCompletionSource changed;
        lock (_lines)
        {
            if (line is null)
            {
                _ended = true;
            }
            else
            {
                _lines.Add(line);
            }
            changed = _changed;
            _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        changed.TrySetResult();
    }
}
