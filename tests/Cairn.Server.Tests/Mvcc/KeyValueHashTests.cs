using Cairn.Protocol.Etcdserverpb;
using Cairn.Server.Errors;
using Cairn.Server.Mvcc;
using Cairn.Server.Tests.Server;
using Google.Protobuf;

namespace Cairn.Server.Tests.Mvcc;

/// <summary>
/// Maintenance.HashKV against etcd 3.4.23: the expected hashes were read with `etcdctl endpoint
/// hashkv -w json` from a fresh etcd after the same requests (put a=1, b=2, a=3, del b, put c=4,
/// b=5; then compact 4; then put d=6).
/// </summary>
public sealed class KeyValueHashTests
{
    private static async Task Put(MemberServer server, string key, string value) =>
        Assert.Null((await server.ProposeAsync(new InternalRaftRequest { Put = new PutRequest { Key = ByteString.CopyFromUtf8(key), Value = ByteString.CopyFromUtf8(value) } }, CancellationToken.None)).Error);

    [Fact]
    public async Task HashesMatchEtcdsForTheSameHistoryBeforeAndAfterACompaction()
    {
        await using var member = await TestMember.StartAsync();
        var server = member.Server;
        await Put(server, "a", "1");
        await Put(server, "b", "2");
        await Put(server, "a", "3");
        await server.ProposeAsync(new InternalRaftRequest { DeleteRange = new DeleteRangeRequest { Key = ByteString.CopyFromUtf8("b") } }, CancellationToken.None);
        await Put(server, "c", "4");
        await Put(server, "b", "5");

        Assert.Equal(new KeyValueHash(2672427904, 7, -1), KeyValueHash.Compute(server.Store, 0));

        var compaction = await server.ProposeAsync(new InternalRaftRequest { Compaction = new CompactionRequest { Revision = 4 } }, CancellationToken.None);
        Assert.Equal(new KeyValueHash(834488253, 7, 4), KeyValueHash.Compute(server.Store, 0));
        await compaction.PhysicalCompaction!;
        Assert.Equal(new KeyValueHash(834488253, 7, 4), KeyValueHash.Compute(server.Store, 0));

        await Put(server, "d", "6");
        Assert.Equal(new KeyValueHash(1468967122, 8, 4), KeyValueHash.Compute(server.Store, 5));
        Assert.Same(EtcdErrors.Compacted, Assert.Throws<EtcdException>(() => KeyValueHash.Compute(server.Store, 3)).Error);
        Assert.Same(EtcdErrors.FutureRevision, Assert.Throws<EtcdException>(() => KeyValueHash.Compute(server.Store, 30)).Error);
    }
}
