using Cairn.Protocol.Etcdserverpb;
using Cairn.Server.Errors;
using Cairn.Storage.Snap;
using Google.Protobuf;

namespace Cairn.Server.Tests.Server;

/// <summary>The server without its wire: proposals through raft, the WAL and the apply loop, restarts and snapshots.</summary>
public sealed class MemberServerTests
{
    [Fact]
    public async Task APutIsAppliedAndReadLinearizably()
    {
        await using var member = await TestMember.StartAsync();
        var server = member.Server;
        var result = await Put(server, "foo", "bar");
        var put = Assert.IsType<PutResponse>(result.Response);
        Assert.Equal(2, put.Header.Revision);

        await server.WaitLinearizableAsync(CancellationToken.None);
        var range = server.Kv.Range(new RangeRequest { Key = ByteString.CopyFromUtf8("foo") });
        Assert.Equal("bar", Assert.Single(range.Kvs).Value.ToStringUtf8());
        Assert.Equal(server.Id, server.Leader);
        Assert.Equal(server.Raft.CommittedIndex, server.Applied.Value);
    }

    [Fact]
    public async Task EveryWriteSurvivesARestartWithItsRevision()
    {
        var member = await TestMember.StartAsync();
        for (int i = 0; i < 20; i++)
        {
            await Put(member.Server, $"k{i:00}", $"v{i}");
        }
        long revision = member.Server.Store.CurrentRevision;
        member = await member.RestartAsync();
        await using (member)
        {
            var server = member.Server;
            Assert.Equal(revision, server.Store.CurrentRevision);
            var range = server.Kv.Range(new RangeRequest { Key = ByteString.CopyFromUtf8("k"), RangeEnd = ByteString.CopyFromUtf8("l") });
            Assert.Equal(20, range.Kvs.Count);
            Assert.Equal(Enumerable.Range(2, 20).Select(r => (long)r), range.Kvs.Select(kv => kv.ModRevision));
            // A new write continues the history rather than repeating a revision.
            var put = (PutResponse)(await Put(server, "after", "restart")).Response!;
            Assert.Equal(revision + 1, put.Header.Revision);
        }
    }

    [Fact]
    public async Task SnapshotsAreTakenEverySnapshotCountEntriesAndARestartStartsFromOne()
    {
        var member = await TestMember.StartAsync(null, "--snapshot-count", "10");
        for (int i = 0; i < 35; i++)
        {
            await Put(member.Server, $"k{i:00}", $"v{i}");
        }
        var snapDir = member.Configuration.SnapDir;
        Assert.NotEmpty(new Snapshotter(snapDir).SnapNames());
        member = await member.RestartAsync("--snapshot-count", "10");
        await using (member)
        {
            var server = member.Server;
            Assert.Contains("recovered v2 store from snapshot", member.Log);
            Assert.Equal(36, server.Store.CurrentRevision);
            Assert.Equal("m1", Assert.Single(server.Membership.Members).Name);
            Assert.Equal("3.4.0", server.Membership.Version);
        }
    }

    [Fact]
    public async Task AProposalOverMaxRequestBytesIsRefusedWithEtcdsError()
    {
        await using var member = await TestMember.StartAsync(null, "--max-request-bytes", "1024");
        var e = await Assert.ThrowsAsync<EtcdException>(() => Put(member.Server, "big", new string('x', 2048)));
        Assert.Same(EtcdErrors.RequestTooLarge, e.Error);
    }

    [Fact]
    public async Task ConcurrentProposalsAreAllAppliedInOneHistory()
    {
        await using var member = await TestMember.StartAsync();
        var puts = Enumerable.Range(0, 200).Select(i => Put(member.Server, $"c{i:000}", "v")).ToArray();
        var revisions = (await Task.WhenAll(puts)).Select(r => ((PutResponse)r.Response!).Header.Revision).ToList();
        Assert.Equal(200, revisions.Distinct().Count());
        Assert.Equal(201, member.Server.Store.CurrentRevision);
    }

    private static Task<Cairn.Server.Apply.ApplyResult> Put(MemberServer server, string key, string value) =>
        server.ProposeAsync(
            new InternalRaftRequest { Put = new PutRequest { Key = ByteString.CopyFromUtf8(key), Value = ByteString.CopyFromUtf8(value) } },
            CancellationToken.None);
}
