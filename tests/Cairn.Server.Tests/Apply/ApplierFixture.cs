using Cairn.Protocol.Etcdserverpb;
using Cairn.Server.Apply;
using Cairn.Server.Mvcc;
using Google.Protobuf;

namespace Cairn.Server.Tests.Apply;

/// <summary>An applier over an in-memory store, with shorthands for requests.</summary>
internal sealed class ApplierFixture : IDisposable
{
    public ApplierFixture(ILeaseLookup? leases = null)
    {
        Store = new MvccStore(new InMemoryRevisionBackend(), options: new MvccStoreOptions { CompactionBatchInterval = TimeSpan.Zero });
        Applier = new KvApplier(Store, leases);
    }

    public MvccStore Store { get; }

    public KvApplier Applier { get; }

    public static ByteString B(string s) => ByteString.CopyFromUtf8(s);

    public PutResponse Put(string key, string value, long lease = 0, bool prevKv = false) =>
        Applier.Put(new PutRequest { Key = B(key), Value = B(value), Lease = lease, PrevKv = prevKv });

    public DeleteRangeResponse Delete(string key, string end = "", bool prevKv = false) =>
        Applier.DeleteRange(new DeleteRangeRequest { Key = B(key), RangeEnd = B(end), PrevKv = prevKv });

    public RangeResponse Get(string key, string end = "", Action<RangeRequest>? configure = null)
    {
        var r = new RangeRequest { Key = B(key), RangeEnd = B(end) };
        configure?.Invoke(r);
        return Applier.Range(r);
    }

    public static RequestOp PutOp(string key, string value) => new() { RequestPut = new PutRequest { Key = B(key), Value = B(value) } };

    public static RequestOp GetOp(string key, string end = "") => new() { RequestRange = new RangeRequest { Key = B(key), RangeEnd = B(end) } };

    public static RequestOp DeleteOp(string key, string end = "") => new() { RequestDeleteRange = new DeleteRangeRequest { Key = B(key), RangeEnd = B(end) } };

    public static RequestOp TxnOp(TxnRequest txn) => new() { RequestTxn = txn };

    public static Compare ValueIs(string key, Compare.Types.CompareResult result, string value) =>
        new() { Key = B(key), Target = Compare.Types.CompareTarget.Value, Result = result, Value = B(value) };

    public static string Keys(RangeResponse r) => string.Join(",", r.Kvs.Select(kv => kv.Key.ToStringUtf8()));

    public void Dispose() => Store.Dispose();
}
