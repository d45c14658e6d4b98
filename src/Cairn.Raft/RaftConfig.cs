using Cairn.Raft.Storage;

namespace Cairn.Raft;

/// <summary>
/// The parameters of one Raft member; etcd's raft.Config. <see cref="Validate"/> refuses what etcd
/// refuses, with etcd's messages.
/// </summary>
public sealed record RaftConfig
{
    /// <summary>This member's id; never 0 (0 means "none").</summary>
    public ulong Id { get; init; }

    /// <summary>
    /// Ticks a follower waits without hearing from a leader before campaigning. The actual timeout
    /// is drawn from [ElectionTick, 2*ElectionTick-1] at every role change.
    /// </summary>
    public int ElectionTick { get; init; } = 10;

    /// <summary>Ticks between a leader's heartbeats; must be below <see cref="ElectionTick"/>.</summary>
    public int HeartbeatTick { get; init; } = 1;

    /// <summary>The log and state this member restarts from, and that its Ready batches feed.</summary>
    public IRaftStorage? Storage { get; init; }

    /// <summary>
    /// The last index the application has applied, when restarting; committed entries up to it are
    /// not handed out again.
    /// </summary>
    public ulong Applied { get; init; }

    /// <summary>Byte limit of one append message (0: one entry per message; ulong.MaxValue: none).</summary>
    public ulong MaxSizePerMsg { get; init; }

    /// <summary>Byte limit of the committed entries in one Ready (0: same as MaxSizePerMsg).</summary>
    public ulong MaxCommittedSizePerReady { get; init; }

    /// <summary>
    /// Byte limit of the uncommitted tail of a leader's log; proposals beyond it are dropped
    /// (0: no limit).
    /// </summary>
    public ulong MaxUncommittedEntriesSize { get; init; }

    /// <summary>Append messages in flight per follower while replicating optimistically.</summary>
    public int MaxInflightMsgs { get; init; } = 256;

    /// <summary>A leader that has not heard from a quorum for an election timeout steps down.</summary>
    public bool CheckQuorum { get; init; }

    /// <summary>Run a pre-election first so a rejoining, partitioned member cannot disrupt a leader.</summary>
    public bool PreVote { get; init; }

    public ReadOnlyOption ReadOnlyOption { get; init; } = ReadOnlyOption.Safe;

    /// <summary>Followers drop proposals instead of forwarding them to the leader.</summary>
    public bool DisableProposalForwarding { get; init; }

    /// <summary>
    /// Seeds the randomized election timeout; mixed with <see cref="Id"/> so members sharing a seed
    /// still draw different timeouts. The only source of randomness in the core.
    /// </summary>
    public ulong RandomSeed { get; init; }

    public IRaftLogger? Logger { get; init; }

    /// <summary>Throws <see cref="RaftConfigException"/> when etcd would refuse this configuration.</summary>
    public void Validate()
    {
        if (Id == 0)
        {
            throw new RaftConfigException("cannot use none as id");
        }
        if (HeartbeatTick <= 0)
        {
            throw new RaftConfigException("heartbeat tick must be greater than 0");
        }
        if (ElectionTick <= HeartbeatTick)
        {
            throw new RaftConfigException("election tick must be greater than heartbeat tick");
        }
        if (Storage is null)
        {
            throw new RaftConfigException("storage cannot be nil");
        }
        if (MaxInflightMsgs <= 0)
        {
            throw new RaftConfigException("max inflight messages must be greater than 0");
        }
        if (ReadOnlyOption == ReadOnlyOption.LeaseBased && !CheckQuorum)
        {
            throw new RaftConfigException("CheckQuorum must be enabled when ReadOnlyOption is ReadOnlyLeaseBased");
        }
    }

    internal ulong EffectiveMaxUncommittedEntriesSize =>
        MaxUncommittedEntriesSize == 0 ? ulong.MaxValue : MaxUncommittedEntriesSize;

    // MaxCommittedSizePerReady used to be MaxSizePerMsg; etcd keeps that as the default.
    internal ulong EffectiveMaxCommittedSizePerReady =>
        MaxCommittedSizePerReady == 0 ? MaxSizePerMsg : MaxCommittedSizePerReady;
}
