using System.Diagnostics;

namespace Cairn.Tests;

/// <summary>What a finished process printed and how it ended.</summary>
internal sealed record ProcessOutcome(int ExitCode, string Stdout, string Stderr)
{
    public string[] StderrLines => Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}

/// <summary>
/// Runs the built <c>cairn</c> (or etcd, the oracle) as a child process in a scratch directory, with an environment
/// holding no ETCD_* or NOTIFY_SOCKET variables but the ones a test gives.
/// </summary>
internal static class ProcessRunner
{
    public static string CairnPath => Path.Combine(AppContext.BaseDirectory, "cairn");

    public static Task<ProcessOutcome> Cairn(params string[] args) => Run(CairnPath, args, []);

    public static Task<ProcessOutcome> Cairn(string[] args, params (string Key, string Value)[] environment) => Run(CairnPath, args, environment);

    public static Task<ProcessOutcome> Etcd(string[] args, params (string Key, string Value)[] environment) => Run("etcd", args, environment);

    /// <summary>
    /// Runs a server until its stderr shows <paramref name="readyLine"/>, then stops it with SIGTERM, as systemd
    /// would; the outcome holds everything it printed up to its exit.
    /// </summary>
    public static Task<ProcessOutcome> CairnUntil(string readyLine, string[] args, params (string Key, string Value)[] environment) =>
        Run(CairnPath, args, environment, terminateOnStderr: readyLine);

    public static async Task<ProcessOutcome> Run(string program, string[] args, (string Key, string Value)[] environment, TimeSpan? timeout = null, string? terminateOnStderr = null,
        int stopSignal = Processes.PosixSignals.Terminate)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(30);
        var scratch = Directory.CreateTempSubdirectory("cairn-process-");
        try
        {
            var start = new ProcessStartInfo(program)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = scratch.FullName,
            };
            foreach (var arg in args)
            {
                start.ArgumentList.Add(arg);
            }

            foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("ETCD", StringComparison.Ordinal) || k == "NOTIFY_SOCKET").ToList())
            {
                start.Environment.Remove(key);
            }

            foreach (var (key, value) in environment)
            {
                start.Environment[key] = value;
            }

            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = ReadStderrAsync(process, terminateOnStderr, stopSignal);
            using var expiry = new CancellationTokenSource(limit);
            try
            {
                await process.WaitForExitAsync(expiry.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"{program} {string.Join(' ', args)} did not exit within {limit}");
            }

            return new ProcessOutcome(process.ExitCode, await stdout, await stderr);
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }

    private static async Task<string> ReadStderrAsync(Process process, string? terminateOn, int stopSignal)
    {
        var text = new System.Text.StringBuilder();
        var signalled = false;
        while (await process.StandardError.ReadLineAsync() is { } line)
        {
            text.Append(line).Append('\n');
            if (!signalled && terminateOn is not null && line.Contains(terminateOn, StringComparison.Ordinal))
            {
                signalled = true;
                Processes.PosixSignals.Send(process.Id, stopSignal);
            }
        }

        return text.ToString();
    }
}
