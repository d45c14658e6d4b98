namespace Cairn.Storage.Tests.Bolt;

/// <summary>
/// Builds a Go program from tests/Cairn.Storage.Tests/Go/&lt;name&gt; in GOPATH mode against
/// Debian's sources under /usr/share/gocode (a temporary GOPATH links them), and runs it.
/// </summary>
public sealed class GoProgram : IDisposable
{
    private readonly TempDirectory _dir = new();

    private GoProgram(string executable)
    {
        Executable = executable;
    }

    public static async Task<GoProgram> BuildAsync(string name)
    {
        var source = Path.Combine(SourceRoot(), "Go", name);
        if (!Directory.Exists(source))
        {
            throw new DirectoryNotFoundException($"Go program sources not found at {source}");
        }
        var program = new GoProgram("");
        var gopath = program._dir.File("gopath");
        var src = Path.Combine(gopath, "src");
        Directory.CreateDirectory(src);
        foreach (var entry in Directory.EnumerateFileSystemEntries("/usr/share/gocode/src"))
        {
            File.CreateSymbolicLink(Path.Combine(src, Path.GetFileName(entry)), entry);
        }
        var package = Path.Combine(src, "cairntest", name);
        Directory.CreateDirectory(Path.GetDirectoryName(package)!);
        File.CreateSymbolicLink(package, source);
        var executable = program._dir.File(name);
        var (code, output, error) = await ProcessRunner.RunAsync("go", ["build", "-o", executable, "."], package, null,
            new Dictionary<string, string> { ["GOPATH"] = gopath, ["GO111MODULE"] = "off", ["GOFLAGS"] = "" });
        if (code != 0)
        {
            program.Dispose();
            throw new InvalidOperationException($"go build {name} failed ({code}): {output}{error}");
        }
        program.Executable = executable;
        return program;
    }

    public string Executable { get; private set; }

    /// <summary>Runs the program; returns exit code, stdout and stderr.</summary>
    public Task<(int Code, string Output, string Error)> ExecAsync(IEnumerable<string> args, string? stdin = null) =>
        ProcessRunner.RunAsync(Executable, args, null, stdin, null);

    /// <summary>tests/Cairn.Storage.Tests, found by walking up from the test assembly.</summary>
    public static string SourceRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Cairn.Storage.Tests.csproj")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new DirectoryNotFoundException("tests/Cairn.Storage.Tests not found above " + AppContext.BaseDirectory);
    }

    public void Dispose() => _dir.Dispose();
}
