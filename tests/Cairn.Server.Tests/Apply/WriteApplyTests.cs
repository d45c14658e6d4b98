using Cairn.Server.Grpc;
using Cairn.Protocol.Etcdserverpb;
using Cairn.Server.Apply;
using Cairn.Server.Errors;
using static Cairn.Server.Tests.Apply.ApplierFixture;

namespace Cairn.Server.Tests.Apply;

public class WriteApplyTests
{
    private sealed class Leases(params long[] ids) : ILeaseLookup
    {
        public bool Exists(long leaseId) => ids.Contains(leaseId);
    }

    [Fact]
    public void Put_answers_with_its_revision_and_the_previous_value_when_asked()
    {
        using var f = new ApplierFixture();
        var first = f.Put("foo", "bar", prevKv: true);
        Assert.Equal(2, first.Header.Revision);
        Assert.Null(first.PrevKv);

        var second = f.Put("foo", "baz", prevKv: true);
        Assert.Equal(3, second.Header.Revision);
        Assert.Equal(("bar", 2L, 2L, 1L), (second.PrevKv.Value.ToStringUtf8(), second.PrevKv.CreateRevision, second.PrevKv.ModRevision, second.PrevKv.Version));
    }

    [Fact]
    public void Ignore_value_and_ignore_lease_keep_what_the_key_had()
    {
        using var f = new ApplierFixture(new Leases(7));
        f.Put("foo", "bar", lease: 7);
        f.Applier.Put(new PutRequest { Key = B("foo"), IgnoreValue = true, Lease = 7 });
        var kv = f.Get("foo").Kvs[0];
        Assert.Equal(("bar", 7L, 2L), (kv.Value.ToStringUtf8(), kv.Lease, kv.Version));

        f.Applier.Put(new PutRequest { Key = B("foo"), Value = B("new"), IgnoreLease = true });
        kv = f.Get("foo").Kvs[0];
        Assert.Equal(("new", 7L, 3L), (kv.Value.ToStringUtf8(), kv.Lease, kv.Version));
    }

    [Fact]
    public void Ignore_value_alone_takes_the_lease_of_the_request_as_etcd_does()
    {
        using var f = new ApplierFixture(new Leases(7));
        f.Put("foo", "bar", lease: 7);
        f.Applier.Put(new PutRequest { Key = B("foo"), IgnoreValue = true });
        Assert.Equal(0, f.Get("foo").Kvs[0].Lease);
    }

    [Fact]
    public void Ignore_value_on_a_missing_key_fails_without_changing_anything()
    {
        using var f = new ApplierFixture();
        var e = Assert.Throws<EtcdException>(() => f.Applier.Put(new PutRequest { Key = B("foo"), IgnoreValue = true }));
        Assert.Equal((GrpcStatusCode.InvalidArgument, "etcdserver: key not found"), (e.Error.Code, e.Message));
        e = Assert.Throws<EtcdException>(() => f.Applier.Put(new PutRequest { Key = B("foo"), IgnoreLease = true }));
        Assert.Same(EtcdErrors.KeyNotFound, e.Error);
        Assert.Equal(1, f.Store.CurrentRevision);
    }

    [Fact]
    public void A_put_with_an_unknown_lease_is_refused_and_a_known_one_is_stored()
    {
        using var f = new ApplierFixture(new Leases(42));
        var result = f.Applier.Apply(new InternalRaftRequest { Put = new PutRequest { Key = B("a"), Lease = 41 } })!;
        Assert.Same(EtcdErrors.LeaseNotFound, result.Error);
        Assert.Equal((GrpcStatusCode.NotFound, "etcdserver: requested lease not found"), (result.Error!.Code, result.Error.Message));
        Assert.Equal(1, f.Store.CurrentRevision);

        f.Put("a", "1", lease: 42);
        Assert.Equal(42, f.Get("a").Kvs[0].Lease);
    }

    [Fact]
    public void Delete_range_counts_deleted_keys_and_returns_them_when_asked()
    {
        using var f = new ApplierFixture();
        f.Put("a", "1");
        f.Put("b", "2");
        f.Put("c", "3");
        var r = f.Delete("a", "c", prevKv: true);
        Assert.Equal(2, r.Deleted);
        Assert.Equal(5, r.Header.Revision);
        Assert.Equal(["a", "b"], r.PrevKvs.Select(kv => kv.Key.ToStringUtf8()));

        var none = f.Delete("x");
        Assert.Equal(0, none.Deleted);
        Assert.Equal(5, none.Header.Revision);
        Assert.Equal(5, f.Store.CurrentRevision);

        Assert.Equal(1, f.Delete("\0", "\0").Deleted);
        Assert.Equal(0, f.Get("\0", "\0").Count);
    }

    [Fact]
    public void Compaction_answers_with_the_current_revision_and_refuses_old_or_future_ones()
    {
        using var f = new ApplierFixture();
        f.Put("a", "1");
        f.Put("a", "2");
        var ok = f.Applier.Apply(new InternalRaftRequest { Compaction = new CompactionRequest { Revision = 2, Physical = true } })!;
        Assert.Null(ok.Error);
        Assert.Equal(3, ((CompactionResponse)ok.Response!).Header.Revision);
        Assert.NotNull(ok.PhysicalCompaction);

        var again = f.Applier.Apply(new InternalRaftRequest { Compaction = new CompactionRequest { Revision = 2 } })!;
        Assert.Same(EtcdErrors.Compacted, again.Error);
        Assert.NotNull(again.PhysicalCompaction);

        var future = f.Applier.Apply(new InternalRaftRequest { Compaction = new CompactionRequest { Revision = 9 } })!;
        Assert.Same(EtcdErrors.FutureRevision, future.Error);
    }

    [Fact]
    public void Requests_that_are_not_kv_are_left_to_other_appliers()
    {
        using var f = new ApplierFixture();
        Assert.Null(f.Applier.Apply(new InternalRaftRequest { LeaseGrant = new LeaseGrantRequest { ID = 1, TTL = 5 } }));
    }
}
