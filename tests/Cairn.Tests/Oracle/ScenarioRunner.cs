using Cairn.Tests.Processes;
using Xunit.Abstractions;

namespace Cairn.Tests.Oracle;

/// <summary>
/// Runs a scenario's steps against a fresh single-member server of the given kind and returns each step's normalised
/// transcript. Steps are etcdctl commands (endpoints filled in), <c>curl [-X METHOD] [--peer] PATH</c> on the client (or peer) URL, and
/// <c>restart</c> / <c>kill-restart</c> of the server on the same data dir, and <c>fill KEY SIZE</c> (see
/// <see cref="QuotaFill"/>), after which <c>{fill-rev}</c> in a command stands for the revision the fill ended at.
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
            FillMarks? fill = null;
            foreach (var step in scenario.Steps)
            {
                var args = CommandLine.Split(fill is null ? step.CommandLine : step.CommandLine.Replace(QuotaFill.RevisionPlaceholder, fill.RevisionAfter.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
                List<string> lines;
                switch (args[0])
                {
                    case "etcdctl":
                        lines = Transcript.Of(await member.Etcdctl.RunAsync(args.Skip(1), step.Stdin is null ? null : CommandLine.Expand(step.Stdin)));
                        if (args.Count > 1 && args[1] == "alarm")
                        {
                            lines = TranscriptNormalizer.WithoutAlarmHeader(lines);
                        }

                        break;
                    case "curl":
                        lines = Transcript.OfHttpResponse(await CommandRunner.RunAsync("curl", CurlArguments(scenario, step, member)));
                        break;
                    case "restart" when args.Count == 1:
                        var status = await server.StopAsync();
                        await server.DisposeAsync();
                        server = await ServerProcess.StartAsync(kind, member, output, scenario.ServerFlags);
                        lines = [$"[stopped by SIGTERM: exit {status}]"];
                        break;
                    case "fill" when args.Count == 3 && int.TryParse(args[2], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var size):
                        (lines, fill) = await QuotaFill.RunAsync(member, args[1], size, output);
                        break;
                    case "kill-restart" when args.Count == 1:
                        await server.KillAsync();
                        await server.DisposeAsync();
                        server = await ServerProcess.StartAsync(kind, member, output, scenario.ServerFlags);
                        lines = [];
                        break;
                    default:
                        throw new FormatException($"{scenario.Name}: unknown step '$ {step.CommandLine}' (etcdctl ..., curl [-X METHOD] [--peer] PATH, restart, kill-restart, fill KEY SIZE)");
                }

                // The file format cannot hold trailing blank lines (they separate steps).
                var normalized = TranscriptNormalizer.Normalize(lines, identity, fill);
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

    /// <summary><c>curl [-X METHOD] [--peer] PATH</c>: the path on the client URL, or on the peer URL with --peer.</summary>
    private static List<string> CurlArguments(Scenario scenario, ScenarioStep step, TestMember member)
    {
        var args = CommandLine.Split(step.CommandLine).Skip(1).ToList();
        var curl = new List<string> { "-sS", "-i" };
        var url = member.ClientUrl;
        while (args.Count > 1)
        {
            switch (args[0])
            {
                case "-X" when args.Count > 2:
                    curl.AddRange(["-X", args[1]]);
                    args.RemoveRange(0, 2);
                    break;
                case "--peer":
                    url = member.PeerUrl;
                    args.RemoveAt(0);
                    break;
                default:
                    throw new FormatException($"{scenario.Name}: '$ {step.CommandLine}': curl takes [-X METHOD] [--peer] PATH");
            }
        }

        if (args.Count != 1 || !args[0].StartsWith('/'))
        {
            throw new FormatException($"{scenario.Name}: '$ {step.CommandLine}': curl takes [-X METHOD] [--peer] PATH");
        }

        curl.Add(url + args[0]);
        return curl;
    }
}
