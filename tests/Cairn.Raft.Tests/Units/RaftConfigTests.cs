using Cairn.Raft.Storage;

namespace Cairn.Raft.Tests.Units;

public class RaftConfigTests
{
    private static readonly RaftConfig Valid = new() { Id = 1, ElectionTick = 10, HeartbeatTick = 1, Storage = new MemoryRaftStorage(), MaxInflightMsgs = 256 };

    public static TheoryData<RaftConfig, string> Invalid() => new()
    {
        { Valid with { Id = 0 }, "cannot use none as id" },
        { Valid with { HeartbeatTick = 0 }, "heartbeat tick must be greater than 0" },
        { Valid with { ElectionTick = 1 }, "election tick must be greater than heartbeat tick" },
        { Valid with { Storage = null }, "storage cannot be nil" },
        { Valid with { MaxInflightMsgs = 0 }, "max inflight messages must be greater than 0" },
        { Valid with { ReadOnlyOption = ReadOnlyOption.LeaseBased }, "CheckQuorum must be enabled when ReadOnlyOption is ReadOnlyLeaseBased" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Configurations_etcd_refuses_are_refused_with_its_message(RaftConfig config, string message)
    {
        var e = Assert.Throws<RaftConfigException>(config.Validate);
        Assert.Equal(message, e.Message);
        Assert.Throws<RaftConfigException>(() => new RaftNode(config));
    }

    [Fact]
    public void Unset_limits_take_etcd_defaults()
    {
        var c = Valid with { MaxSizePerMsg = 1024 };
        c.Validate();
        Assert.Equal(ulong.MaxValue, c.EffectiveMaxUncommittedEntriesSize);
        Assert.Equal(1024UL, c.EffectiveMaxCommittedSizePerReady);
        Assert.Equal(77UL, (c with { MaxCommittedSizePerReady = 77 }).EffectiveMaxCommittedSizePerReady);
    }

    [Fact]
    public void An_applied_index_beyond_the_commit_index_is_refused()
    {
        Assert.Throws<RaftStateException>(() => new RaftNode(Valid with { Applied = 5 }));
    }
}
