namespace Cairn.Storage.Tests.Wal;

/// <summary>
/// The <c>walcheck</c> Go program (tests/Cairn.Storage.Tests/Go/walcheck), built once per test run
/// in GOPATH mode against Debian's etcd sources: etcd's own WAL and snap packages as the oracle.
/// </summary>
public sealed class GoWalCheck : IAsyncLifetime
{
    private readonly TempDirectory _bin = new();

    public string Executable => Path.Combine(_bin.Path, "walcheck");

    public static IReadOnlyDictionary<string, string> GoEnvironment { get; } = BuildEnvironment();

    private static Dictionary<string, string> BuildEnvironment()
    {
        var env = new Dictionary<string, string>
        {
            ["GOPATH"] = "/usr/share/gocode",
            ["GO111MODULE"] = "off",
            ["GOFLAGS"] = "-mod=mod",
        };
        if (Environment.GetEnvironmentVariable("HOME") is null && Environment.GetEnvironmentVariable("GOCACHE") is null)
        {
            env["GOCACHE"] = Path.Combine(Path.GetTempPath(), "cairn-go-build-cache"); // go needs a cache dir
        }
        return env;
    }

    public async Task InitializeAsync()
    {
        var build = await ExternalProcess.RunAsync("go", ["build", "-o", Executable, "."],
            RepositoryPaths.TestGoProgram("walcheck"), GoEnvironment, TimeSpan.FromMinutes(5));
        build.EnsureSuccess("go build walcheck");
    }

    public Task DisposeAsync()
    {
        _bin.Dispose();
        return Task.CompletedTask;
    }

    public async Task<string[]> RunAsync(params string[] args)
    {
        var result = (await ExternalProcess.RunAsync(Executable, args)).EnsureSuccess($"walcheck {string.Join(' ', args)}");
        return result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }
}

[CollectionDefinition(Name)]
public sealed class GoWalCheckCollection : ICollectionFixture<GoWalCheck>
{
    public const string Name = "etcd's Go WAL";
}
