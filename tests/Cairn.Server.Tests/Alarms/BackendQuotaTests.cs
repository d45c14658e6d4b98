using Cairn.Protocol.Etcdserverpb;
using Cairn.Server.Alarms;
using Google.Protobuf;

namespace Cairn.Server.Tests.Alarms;

public sealed class BackendQuotaTests
{
    private static PutRequest Put(string key, int valueBytes) =>
        new() { Key = ByteString.CopyFromUtf8(key), Value = ByteString.CopyFrom(new byte[valueBytes]) };

    [Fact]
    public void APutCostsItsKeyAndValuePlusEtcdsMetadataEstimate()
    {
        Assert.Equal(256 + 3 + 100, BackendQuota.Cost(new InternalRaftRequest { Put = Put("abc", 100) }));
    }

    [Fact]
    public void ATxnCostsItsCostlierBranchCountingOnlyDirectPuts()
    {
        var txn = new TxnRequest();
        txn.Success.Add(new RequestOp { RequestPut = Put("a", 10) });
        txn.Success.Add(new RequestOp { RequestDeleteRange = new DeleteRangeRequest { Key = ByteString.CopyFromUtf8("a") } });
        var nested = new TxnRequest();
        nested.Success.Add(new RequestOp { RequestPut = Put("big", 10_000) });
        txn.Success.Add(new RequestOp { RequestTxn = nested });
        txn.Failure.Add(new RequestOp { RequestPut = Put("b", 20) });
        txn.Failure.Add(new RequestOp { RequestPut = Put("c", 0) });

        Assert.Equal((256 + 1 + 20) + (256 + 1), BackendQuota.Cost(txn));
    }

    [Fact]
    public void ReadsDeletesAndCompactionsCostNothingAndAlwaysFit()
    {
        var full = new BackendQuota(() => long.MaxValue / 2, 1);
        Assert.True(full.Fits(new InternalRaftRequest { DeleteRange = new DeleteRangeRequest { Key = ByteString.CopyFromUtf8("a") } }));
        Assert.True(full.Fits(new InternalRaftRequest { Compaction = new CompactionRequest { Revision = 1 } }));
        Assert.True(full.Fits(new InternalRaftRequest { Txn = new TxnRequest() }));
        Assert.False(full.Fits(new InternalRaftRequest { LeaseGrant = new LeaseGrantRequest { TTL = 5 } }));
    }

    [Fact]
    public void AWriteFitsWhileSizePlusCostStaysBelowTheQuota()
    {
        long size = 1000;
        var quota = new BackendQuota(() => size, 1000 + 256 + 1 + 10 + 1);
        var put = new InternalRaftRequest { Put = Put("k", 10) };
        Assert.True(quota.Fits(put));
        size++;
        Assert.False(quota.Fits(put));
    }

    [Fact]
    public void ANullQuotaLetsEverythingThrough()
    {
        var off = new BackendQuota(() => long.MaxValue / 2, null);
        Assert.True(off.Fits(new InternalRaftRequest { Put = Put("k", 1 << 20) }));
    }
}
