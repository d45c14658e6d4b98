using Cairn.Tests.Processes;
using Xunit.Abstractions;

namespace Cairn.Tests.Oracle;

/// <summary>
/// Each scenario file holds a session and etcd 3.4.23's normalised transcript of it. etcd must still give that
/// transcript (the normalisation is sound and the recording current); cairn must give the same. Set
/// CAIRN_ORACLE_RECORD=1 to rewrite the files from etcd instead of checking them.
/// </summary>
public abstract class OracleScenarioTests(ServerKind kind, ITestOutputHelper output)
{
    public static TheoryData<string> Scenarios() => [.. ScenarioFile.Names()];

    protected async Task CheckAsync(string name)
    {
        var scenario = ScenarioFile.Load(name);
        var actual = await ScenarioRunner.RunAsync(kind, scenario, output);
        if (kind == ServerKind.Etcd && Environment.GetEnvironmentVariable("CAIRN_ORACLE_RECORD") == "1")
        {
            await File.WriteAllTextAsync(ScenarioFile.PathOf(name), ScenarioFile.Format(scenario, actual));
            output.WriteLine($"recorded {ScenarioFile.PathOf(name)}");
            return;
        }

        var expectedText = ScenarioFile.Format(scenario, [.. scenario.Steps.Select(s => s.Transcript)]);
        var actualText = ScenarioFile.Format(scenario, actual);
        if (expectedText != actualText)
        {
            Assert.Fail($"{kind.DisplayName()} differs from etcd 3.4.23's recorded transcript of {name}{ScenarioFile.Extension}:\n" +
                        TextDiff.Unified(expectedText.Split('\n'), actualText.Split('\n'), $"etcd 3.4.23 ({name})", $"{kind.DisplayName()} ({name})"));
        }
    }
}

public sealed class EtcdScenarioTests(ITestOutputHelper output) : OracleScenarioTests(ServerKind.Etcd, output)
{
    [Theory]
    [MemberData(nameof(Scenarios))]
    public Task Etcd_gives_the_recorded_transcript(string scenario) => CheckAsync(scenario);
}

public sealed class CairnScenarioTests(ITestOutputHelper output) : OracleScenarioTests(ServerKind.Cairn, output)
{
    [Theory]
    [MemberData(nameof(Scenarios))]
    public Task Cairn_gives_etcds_transcript(string scenario) => CheckAsync(scenario);
}
