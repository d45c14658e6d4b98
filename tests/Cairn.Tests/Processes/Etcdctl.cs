namespace Cairn.Tests.Processes;

/// <summary>The real etcdctl (API v3) pointed at given endpoints.</summary>
public sealed class Etcdctl(string endpoints)
{
    private static readonly Dictionary<string, string> ApiVersion3 = new() { ["ETCDCTL_API"] = "3" };

    public string Endpoints { get; } = endpoints;

    /// <summary>Runs <c>etcdctl --endpoints=... args</c>, feeding <paramref name="stdin"/> when given.</summary>
    public Task<CommandResult> RunAsync(IEnumerable<string> args, string? stdin = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        CommandRunner.RunAsync("etcdctl", [$"--endpoints={Endpoints}", .. args], stdin, ApiVersion3, timeout, cancellationToken);

    public Task<CommandResult> RunAsync(params string[] args) => RunAsync(args, stdin: null);

    /// <summary>Runs a command that must succeed and returns its standard output.</summary>
    public async Task<string> OutputAsync(params string[] args)
    {
        var result = await RunAsync(args);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"etcdctl {string.Join(' ', args)} against {Endpoints} failed: {result}");
        }

        return result.Stdout;
    }
}
