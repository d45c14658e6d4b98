namespace Cairn.Tests.Oracle;

/// <summary>
/// A scripted session against one fresh single-member server: the flags the server starts with and the steps with
/// the transcript etcd 3.4.23 gave for each (normalised). See Scenarios/README.md for the file format.
/// </summary>
public sealed record Scenario(string Name, IReadOnlyList<string> Header, IReadOnlyList<string> ServerFlags, IReadOnlyList<ScenarioStep> Steps);

/// <summary>One command of a scenario, the comments above it, its standard input and the transcript recorded for it.</summary>
public sealed record ScenarioStep(IReadOnlyList<string> Comments, string CommandLine, string? Stdin, IReadOnlyList<string> Transcript);
