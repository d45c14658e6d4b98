using Xunit.Abstractions;

namespace Cairn.Raft.Tests.Simulation;

/// <summary>
/// The deterministic simulation over 1,000 seeds (four classes so they run in parallel). A failure
/// names its seed; run it alone with CAIRN_RAFT_SEED=&lt;seed&gt; (see docs/raft.md).
/// </summary>
public abstract class SimulationSeeds
{
    protected const int SeedsPerRow = 25;

    internal static void RunSeeds(int first, int count)
    {
        for (var seed = first; seed < first + count; seed++)
        {
            RunSeed(seed);
        }
    }

    internal static ClusterSimulation RunSeed(int seed)
    {
        var options = SimulationOptions.FromSeed(seed);
        var sim = new ClusterSimulation(options);
        try
        {
            sim.Run();
            return sim;
        }
        catch (Exception e)
        {
            // Deterministic: run the seed again with tracing to show how it got there.
            var traced = new ClusterSimulation(options, trace: true);
            try
            {
                traced.Run();
            }
            catch
            {
                // The same failure, now with a trace.
            }
            var tail = string.Join("\n", traced.TraceTail(80));
            Assert.Fail($"simulation failed for {options}\nreproduce with: CAIRN_RAFT_SEED={seed} dotnet test tests/Cairn.Raft.Tests " +
                        $"--filter FullyQualifiedName~SimulationReplay\n{(e is SafetyViolation ? e.Message : e.ToString())}\n--- last trace lines ---\n{tail}");
            throw;
        }
    }

    public static TheoryData<int> Rows(int block)
    {
        var data = new TheoryData<int>();
        for (var row = 0; row < 250 / SeedsPerRow; row++)
        {
            data.Add(block * 250 + row * SeedsPerRow);
        }
        return data;
    }
}

public class SimulationSeeds0 : SimulationSeeds
{
    public static TheoryData<int> Data => Rows(0);

    [Theory]
    [MemberData(nameof(Data))]
    public void Raft_guarantees_hold_under_faults_for_seeds(int first) => RunSeeds(first, SeedsPerRow);
}

public class SimulationSeeds1 : SimulationSeeds
{
    public static TheoryData<int> Data => Rows(1);

    [Theory]
    [MemberData(nameof(Data))]
    public void Raft_guarantees_hold_under_faults_for_seeds(int first) => RunSeeds(first, SeedsPerRow);
}

public class SimulationSeeds2 : SimulationSeeds
{
    public static TheoryData<int> Data => Rows(2);

    [Theory]
    [MemberData(nameof(Data))]
    public void Raft_guarantees_hold_under_faults_for_seeds(int first) => RunSeeds(first, SeedsPerRow);
}

public class SimulationSeeds3 : SimulationSeeds
{
    public static TheoryData<int> Data => Rows(3);

    [Theory]
    [MemberData(nameof(Data))]
    public void Raft_guarantees_hold_under_faults_for_seeds(int first) => RunSeeds(first, SeedsPerRow);
}

/// <summary>Replays one seed: CAIRN_RAFT_SEED when set, otherwise seed 0.</summary>
public class SimulationReplay(ITestOutputHelper output)
{
    [Fact]
    public void One_seed_from_CAIRN_RAFT_SEED_or_seed_0()
    {
        var env = Environment.GetEnvironmentVariable("CAIRN_RAFT_SEED");
        var seed = int.TryParse(env, out var s) ? s : 0;
        var options = SimulationOptions.FromSeed(seed);
        output.WriteLine(options.ToString());
        var sim = SimulationSeeds.RunSeed(seed);
        output.WriteLine(sim.Summary);
        Assert.True(sim.FinalCommit > 0);
    }
}
