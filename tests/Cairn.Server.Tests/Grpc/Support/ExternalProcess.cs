using System.Diagnostics;

namespace Cairn.Server.Tests.Grpc.Support;

/// <summary>Runs a real client (etcdctl, curl) to completion and captures what it printed.</summary>
internal static class ExternalProcess
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
    }

    public static async Task<Result> RunAsync(string fileName, IEnumerable<string> arguments, TimeSpan? timeout = null, string? stdin = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        // A proxy from the environment would send loopback traffic elsewhere.
        start.Environment.Remove("http_proxy");
        start.Environment.Remove("HTTP_PROXY");
        start.Environment.Remove("https_proxy");
        start.Environment.Remove("HTTPS_PROXY");
        start.Environment.Remove("ETCDCTL_API");
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {fileName}");
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
            process.StandardInput.Close();
        }
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', arguments)} did not finish in time");
        }
        return new Result(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>
    /// Starts a long-running client (etcdctl watch), waits until its output satisfies
    /// <paramref name="until"/>, then kills it and returns what it printed.
    /// </summary>
    public static async Task<string> RunUntilAsync(string fileName, IEnumerable<string> arguments, Func<string, bool> until, TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {fileName}");
        var output = new System.Text.StringBuilder();
        var satisfied = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }
            lock (output)
            {
                output.Append(e.Data).Append('\n');
                if (until(output.ToString()))
                {
                    satisfied.TrySetResult();
                }
            }
        };
        var stderr = process.StandardError.ReadToEndAsync();
        process.BeginOutputReadLine();
        try
        {
            await satisfied.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            string printed;
            lock (output)
            {
                printed = output.ToString();
            }
            throw new TimeoutException($"{fileName} never printed what was expected; stdout:\n{printed}\nstderr:\n{await stderr}");
        }
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
        lock (output)
        {
            return output.ToString();
        }
    }

    public static Task<Result> EtcdctlAsync(string endpoint, params string[] arguments) =>
        RunAsync("etcdctl", new[] { "--endpoints=" + endpoint, "--dial-timeout=5s", "--command-timeout=10s" }.Concat(arguments));

    public static Task<Result> CurlAsync(params string[] arguments) =>
        RunAsync("curl", new[] { "--silent", "--show-error", "--max-time", "10", "--noproxy", "*" }.Concat(arguments));
}
