using System.Diagnostics;
using Xunit.Abstractions;

namespace Cairn.Tests.Processes;

/// <summary>
/// One run of a real etcd or cairn process on a <see cref="TestMember"/>: started with the member's flags and the
/// test's own, ready once it logged that it serves clients and etcdctl finds it healthy. Its log is kept and written
/// to the test's output when the process is disposed (xunit prints it when the test fails).
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    public static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(60);
    public static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);

    /// <summary>etcd's capnslog and zap wording for "the client listeners serve" (cairn prints etcd's).</summary>
    private static readonly string[] ServingLines = ["ready to serve client requests", "serving client traffic insecurely"];

    /// <summary>Once logged, the cluster version is applied: a fresh member's raft index no longer moves by itself.</summary>
    private static readonly string[] CapabilitiesLines = ["enabled capabilities for version"];

    private readonly Process _process;
    private readonly ITestOutputHelper? _output;
    private int _reported;
    private bool _disposed;

    private ServerProcess(
        ServerKind kind, TestMember member, IReadOnlyList<string> arguments, long? fileSizeLimitKiB, IReadOnlyDictionary<string, string>? environment, ITestOutputHelper? output)
    {
        Kind = kind;
        Member = member;
        Arguments = arguments;
        _output = output;
        var start = new ProcessStartInfo(fileSizeLimitKiB is null ? kind.Program() : "bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = member.Directory,
        };
        if (fileSizeLimitKiB is { } limit)
        {
            // RLIMIT_FSIZE: a write past the limit fails with EFBIG (SIGXFSZ ignored, as the disposition survives exec),
            // as on a full disk but without root. exec keeps the pid the server's.
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add($"trap '' XFSZ; ulimit -f {limit} && exec \"$0\" \"$@\"");
            start.ArgumentList.Add(kind.Program());
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        ChildProcesses.ClearEtcdEnvironment(start);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        _process = ChildProcesses.Start(start);
        _process.OutputDataReceived += (_, e) => Log.Receive(e.Data);
        _process.ErrorDataReceived += (_, e) => Log.Receive(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public ServerKind Kind { get; }

    public TestMember Member { get; }

    public IReadOnlyList<string> Arguments { get; }

    public ProcessLog Log { get; } = new();

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public Etcdctl Etcdctl => Member.Etcdctl;

    /// <summary>
    /// Starts a server on the member and waits until it is ready, or fails with its log. With
    /// <paramref name="fileSizeLimitKiB"/>, no file the server writes may grow past that many KiB (ulimit -f).
    /// <paramref name="environment"/> adds variables to an environment cleared of etcd's and systemd's.
    /// </summary>
    public static Task<ServerProcess> StartAsync(
        ServerKind kind, TestMember member, ITestOutputHelper? output = null, IReadOnlyList<string>? flags = null, long? fileSizeLimitKiB = null,
        IReadOnlyDictionary<string, string>? environment = null, CancellationToken cancellationToken = default) =>
        StartAsync(kind, member, () => [.. member.Flags, .. flags ?? []], output, fileSizeLimitKiB, environment, cancellationToken);

    /// <summary>
    /// Starts a server configured by nothing but <c>--config-file</c>: <paramref name="writeConfigFile"/> writes the
    /// file for the member's current ports and returns its path (again after a port clash moved the member).
    /// </summary>
    public static Task<ServerProcess> StartWithConfigFileAsync(
        ServerKind kind, TestMember member, Func<TestMember, string> writeConfigFile, ITestOutputHelper? output = null, CancellationToken cancellationToken = default) =>
        StartAsync(kind, member, () => ["--config-file", writeConfigFile(member)], output, fileSizeLimitKiB: null, environment: null, cancellationToken);

    private static async Task<ServerProcess> StartAsync(
        ServerKind kind, TestMember member, Func<IReadOnlyList<string>> arguments, ITestOutputHelper? output, long? fileSizeLimitKiB,
        IReadOnlyDictionary<string, string>? environment, CancellationToken cancellationToken)
    {
        var fresh = !Directory.Exists(member.DataDir);
        for (var attempt = 1; ; attempt++)
        {
            var server = new ServerProcess(kind, member, arguments(), fileSizeLimitKiB, environment, output);
            try
            {
                await server.WaitUntilReadyAsync(cancellationToken);
                return server;
            }
            catch (Exception) when (fresh && attempt < 3 && server.Log.Lines.Any(l => l.Contains("address already in use", StringComparison.OrdinalIgnoreCase)))
            {
                // Someone took a port between choosing and binding it: a fresh member can move.
                await server.DisposeAsync();
                if (Directory.Exists(member.DataDir))
                {
                    Directory.Delete(member.DataDir, recursive: true);
                }

                member.ChoosePorts();
            }
            catch
            {
                await server.DisposeAsync();
                throw;
            }
        }
    }

    /// <summary>SIGTERM, then waits for the process to end; returns its exit status (128 + 15 when it ends by the signal, as etcd does).</summary>
    public async Task<int> StopAsync()
    {
        if (!_process.HasExited)
        {
            PosixSignals.Send(_process.Id, PosixSignals.Terminate);
        }

        using var limit = new CancellationTokenSource(StopTimeout);
        try
        {
            await _process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            await KillAsync();
            throw new TimeoutException($"{Describe()} did not stop within {StopTimeout} of SIGTERM; killed.\n{Log}");
        }

        return _process.ExitCode;
    }

    /// <summary>
    /// SIGTERM and a clean end: etcd closes its server, then re-raises the signal to die by it (status 128 + 15);
    /// cairn does the same. Any other status means the stop went wrong.
    /// </summary>
    public async Task StopCleanlyAsync()
    {
        var status = await StopAsync();
        if (status != 128 + PosixSignals.Terminate)
        {
            throw new InvalidOperationException($"{Describe()} ended with status {status} after SIGTERM; etcd ends by the signal (status 143).\n{Log}");
        }
    }

    /// <summary>Waits for the process to end by itself; returns its exit status, or fails with its log after <paramref name="timeout"/>.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var limit = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{Describe()} still runs after {timeout}.\n{Log}");
        }

        return _process.ExitCode;
    }

    /// <summary>SIGKILL: no chance to flush or close anything.</summary>
    public async Task KillAsync()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }

        await _process.WaitForExitAsync();
    }

    /// <summary>Kills the process if it still runs and reports its log; safe to call again.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (!_process.HasExited)
        {
            await KillAsync();
        }

        Report();
        _process.Dispose();
    }

    public override string ToString() => Describe();

    private async Task WaitUntilReadyAsync(CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(ReadyTimeout);
        try
        {
            await Log.WaitForAsync(ServingLines, deadline.Token);
            await Log.WaitForAsync(CapabilitiesLines, deadline.Token);
            while (true)
            {
                var health = await Etcdctl.RunAsync(["endpoint", "health"], timeout: TimeSpan.FromSeconds(15), cancellationToken: deadline.Token);
                if (health.Succeeded)
                {
                    return;
                }

                if (_process.HasExited)
                {
                    throw new InvalidOperationException($"{Describe()} exited with status {_process.ExitCode} before it was healthy: {health}\n{Log}");
                }

                // Polls a condition: the server said it serves, and health needs its first commit through.
                await Task.Delay(TimeSpan.FromMilliseconds(100), deadline.Token);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"{Describe()} was not ready within {ReadyTimeout}.\n{Log}");
        }
        catch (InvalidOperationException e) when (Log.Closed)
        {
            await _process.WaitForExitAsync(cancellationToken);
            throw new InvalidOperationException($"{Describe()} exited with status {_process.ExitCode} before it was ready: {e.Message}\n{Log}");
        }
    }

    private string Describe() => $"{Kind.DisplayName()} {Member.Name} (pid {_process.Id}, data dir {Member.DataDir})";

    private void Report()
    {
        if (_output is null || Interlocked.Exchange(ref _reported, 1) == 1)
        {
            return;
        }

        try
        {
            var status = _process.HasExited ? _process.ExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture) : "running";
            _output.WriteLine($"===== {Describe()} {string.Join(' ', Arguments)}: exit {status} =====\n{Log}");
        }
        catch (InvalidOperationException)
        {
            // The test already ended; xunit no longer takes its output.
        }
    }
}
