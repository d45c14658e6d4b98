using Cairn.Server.Membership;

namespace Cairn.Server.Tests.Server;

public sealed class MemberIdsTests
{
    // Printed by etcd 3.4.23 started as `--name e1 --initial-advertise-peer-urls http://127.0.0.1:23800
    // --initial-cluster e1=http://127.0.0.1:23800` with the default token.
    [Fact]
    public void MemberAndClusterIdsAreEtcds()
    {
        ulong member = MemberIds.ComputeMemberId(["http://127.0.0.1:23800"], "etcd-cluster");
        Assert.Equal("2e1259d415f2a040", MemberIds.Format(member));
        Assert.Equal("48276a8f75b6a87", MemberIds.Format(MemberIds.ComputeClusterId([member])));
    }

    [Fact]
    public void MemberIdDoesNotDependOnPeerUrlOrder() =>
        Assert.Equal(
            MemberIds.ComputeMemberId(["http://b:2380", "http://a:2380"], "t"),
            MemberIds.ComputeMemberId(["http://a:2380", "http://b:2380"], "t"));
}
