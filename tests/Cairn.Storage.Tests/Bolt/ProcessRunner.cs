using System.Diagnostics;

namespace Cairn.Storage.Tests.Bolt;

/// <summary>Runs a program to completion, feeding stdin and collecting stdout and stderr.</summary>
public static class ProcessRunner
{
    public static async Task<(int Code, string Output, string Error)> RunAsync(string file, IEnumerable<string> args, string? workingDirectory,
        string? stdin, IDictionary<string, string>? environment)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }
        if (workingDirectory is not null)
        {
            info.WorkingDirectory = workingDirectory;
        }
        if (environment is not null)
        {
            foreach (var (k, v) in environment)
            {
                info.Environment[k] = v;
            }
        }
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
            process.StandardInput.Close();
        }
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout, await stderr);
    }
}
