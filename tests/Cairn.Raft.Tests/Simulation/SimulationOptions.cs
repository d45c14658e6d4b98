namespace Cairn.Raft.Tests.Simulation;

/// <summary>The shape of one simulated run, drawn from its seed so the seed alone reproduces it.</summary>
internal sealed record SimulationOptions
{
    public required int Seed { get; init; }

    public int Members { get; init; } = 3;

    public bool PreVote { get; init; }

    public bool CheckQuorum { get; init; }

    public int HeartbeatTick { get; init; } = 1;

    public int ElectionTick { get; init; } = 10;

    public ulong MaxSizePerMsg { get; init; } = ulong.MaxValue;

    public int MaxInflightMsgs { get; init; } = 256;

    /// <summary>Take a snapshot every this many applied entries.</summary>
    public int SnapshotInterval { get; init; } = 30;

    /// <summary>Entries kept before the snapshot when compacting, for slow followers.</summary>
    public int CompactionMargin { get; init; } = 5;

    public double DropRate { get; init; }

    public double DuplicateRate { get; init; }

    public int MaxDelay { get; init; }

    /// <summary>Ticks of faults before the final heal.</summary>
    public int Steps { get; init; } = 400;

    /// <summary>Ticks allowed after the final heal for a leader to emerge and a proposal to commit.</summary>
    public int LivenessBound { get; init; } = 600;

    public static SimulationOptions FromSeed(int seed)
    {
        var rng = new Random(seed ^ 0x5eed);
        return new SimulationOptions
        {
            Seed = seed,
            Members = rng.Next(10) < 7 ? 3 : 5,
            PreVote = rng.Next(2) == 0,
            CheckQuorum = rng.Next(2) == 0,
            HeartbeatTick = 1 + rng.Next(2),
            MaxSizePerMsg = rng.Next(3) switch { 0 => 64, 1 => 1024, _ => ulong.MaxValue },
            MaxInflightMsgs = rng.Next(3) switch { 0 => 1, 1 => 4, _ => 256 },
            SnapshotInterval = rng.Next(3) switch { 0 => 8, 1 => 30, _ => 100 },
            CompactionMargin = rng.Next(2) * 5,
            DropRate = rng.Next(3) switch { 0 => 0, 1 => 0.02, _ => 0.1 },
            DuplicateRate = rng.Next(2) * 0.03,
            MaxDelay = rng.Next(3) switch { 0 => 0, 1 => 3, _ => 8 },
        };
    }

    public override string ToString() =>
        $"seed {Seed}: {Members} members, prevote={PreVote}, checkquorum={CheckQuorum}, heartbeat={HeartbeatTick}, " +
        $"maxmsg={MaxSizePerMsg}, inflight={MaxInflightMsgs}, snapshot every {SnapshotInterval} keeping {CompactionMargin}, " +
        $"drop={DropRate}, dup={DuplicateRate}, delay<={MaxDelay}";
}
