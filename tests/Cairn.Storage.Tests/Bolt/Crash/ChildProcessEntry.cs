namespace Cairn.Storage.Tests.Bolt.Crash;

/// <summary>
/// The test assembly's entry point, used only when a test runs this assembly as a child process
/// (`dotnet Cairn.Storage.Tests.dll &lt;mode&gt; ...`), e.g. a writer the crash tests kill.
/// </summary>
public static class ChildProcessEntry
{
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == CrashingWriter.Mode)
        {
            return CrashingWriter.Run(args[1..]);
        }
        Console.Error.WriteLine($"usage: Cairn.Storage.Tests {CrashingWriter.Mode} <db> <seed>  (otherwise run under a test runner)");
        return 2;
    }

    /// <summary>Starts this assembly as a child process in <paramref name="mode"/>.</summary>
    public static System.Diagnostics.Process Start(string mode, params string[] args)
    {
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } h ? h : "dotnet";
        var info = new System.Diagnostics.ProcessStartInfo(host)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(typeof(ChildProcessEntry).Assembly.Location);
        info.ArgumentList.Add(mode);
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }
        return System.Diagnostics.Process.Start(info)!;
    }
}
