using Cairn.Server.Proposals;

namespace Cairn.Server.Tests.Server;

public sealed class RequestIdGeneratorTests
{
    [Fact]
    public void IdsCarryTheMemberIdsLowBitsAndIncrease()
    {
        var ids = new RequestIdGenerator(0x2e1259d415f2a040, DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000));
        ulong first = ids.Next();
        ulong second = ids.Next();
        Assert.Equal(0xa040UL, first >> 48);
        Assert.Equal(first + 1, second);
    }

    [Fact]
    public void IdsAreUniqueAcrossThreads()
    {
        var ids = new RequestIdGenerator(7, DateTimeOffset.UtcNow);
        var seen = new System.Collections.Concurrent.ConcurrentDictionary<ulong, bool>();
        Parallel.For(0, 10_000, _ => Assert.True(seen.TryAdd(ids.Next(), true)));
    }
}
