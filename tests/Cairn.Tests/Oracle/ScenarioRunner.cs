using Cairn.Tests.Processes;
using Xunit.Abstractions;

namespace Cairn.Tests.Oracle;

/// <summary>
/// Runs a scenario's steps against a fresh single-member server of the given kind and returns each step's normalised
/// transcript. Steps are etcdctl commands (endpoints filled in), <c>curl PATH</c> on the client URL, and
/// <c>restart</c> / <c>kill-restart</c> of the server on the same data dir.
/// </summary>
public static class ScenarioRunner
{
    public static async Task<IReadOnlyList<IReadOnlyList<string>>> RunAsync(ServerKind kind, Scenario scenario, ITestOutputHelper output)
    {
        using var member = TestMember.Create();
        var server = await ServerProcess.StartAsync(kind, member, output, scenario.ServerFlags);
        try
        {
            var identity = await ServerIdentity.OfAsync(member);
            var transcripts = new List<IReadOnlyList<string>>();
            foreach (var step in scenario.Steps)
            {
                var args = CommandLine.Split(step.CommandLine);
                List<string> lines;
                switch (args[0])
                {
                    case "etcdctl":
                        lines = Transcript.Of(await member.Etcdctl.RunAsync(args.Skip(1), step.Stdin is null ? null : CommandLine.Expand(step.Stdin)));
                        break;
                    case "curl" when args.Count == 2:
                        lines = Transcript.OfHttpResponse(await CommandRunner.RunAsync("curl", ["-sS", "-i", member.ClientUrl + args[1]]));
                        break;
                    case "restart" when args.Count == 1:
                        var status = await server.StopAsync();
                        await server.DisposeAsync();
                        server = await ServerProcess.StartAsync(kind, member, output, scenario.ServerFlags);
                        lines = [$"[stopped by SIGTERM: exit {status}]"];
                        break;
                    case "kill-restart" when args.Count == 1:
                        await server.KillAsync();
                        await server.DisposeAsync();
                        server = await ServerProcess.StartAsync(kind, member, output, scenario.ServerFlags);
                        lines = [];
                        break;
                    default:
                        throw new FormatException($"{scenario.Name}: unknown step '$ {step.CommandLine}' (etcdctl ..., curl PATH, restart, kill-restart)");
                }

                // The file format cannot hold trailing blank lines (they separate steps).
                var normalized = TranscriptNormalizer.Normalize(lines, identity);
                ScenarioFile.TrimTrailingBlankLines(normalized);
                transcripts.Add(normalized);
            }

            return transcripts;
        }
        finally
        {
            await server.DisposeAsync();
        }
    }
}
