using Cairn.Protocol.Etcdserverpb;
using Cairn.Server.Apply;
using Cairn.Server.Errors;
using Cairn.Server.Lease;
using Cairn.Server.Mvcc;
using Google.Protobuf;

namespace Cairn.Server.Tests.Lease;

/// <summary>Lease requests applied to a lessor and an MVCC store, with KV requests around them, as the apply loop does.</summary>
public sealed class LeaseApplierTests : IDisposable
{
    private readonly LessorFixture _f = new();
    private readonly InMemoryRevisionBackend _backend = new();
    private readonly MvccStore _store;
    private readonly KvApplier _kv;
    private readonly LeaseApplier _leases;

    public LeaseApplierTests()
    {
        _store = new MvccStore(_backend, _f.Lessor);
        _kv = new KvApplier(_store, _f.Lessor);
        _leases = new LeaseApplier(_f.Lessor, _store);
    }

    public void Dispose() => _store.Dispose();

    private static ByteString B(string s) => ByteString.CopyFromUtf8(s);

    private ApplyResult Grant(long id, long ttl) => _leases.Apply(new InternalRaftRequest { LeaseGrant = new LeaseGrantRequest { ID = id, TTL = ttl } })!;

    private ApplyResult Revoke(long id) => _leases.Apply(new InternalRaftRequest { LeaseRevoke = new LeaseRevokeRequest { ID = id } })!;

    private PutResponse Put(string key, long lease = 0, bool ignoreLease = false) =>
        _kv.Put(new PutRequest { Key = B(key), Value = ignoreLease ? ByteString.Empty : B("v"), Lease = lease, IgnoreLease = ignoreLease });

    private string[] Keys(long lease) => [.. _f.Lessor.TimeToLive(lease, withKeys: true)!.Keys.Select(k => System.Text.Encoding.UTF8.GetString(k))];

    [Fact]
    public void A_grant_answers_the_id_the_granted_ttl_and_the_current_revision()
    {
        Put("before");
        var response = Assert.IsType<LeaseGrantResponse>(Grant(5, 1).Response);
        Assert.Equal((5L, 2L, 2L), (response.ID, response.TTL, response.Header.Revision));
        Assert.Same(EtcdErrors.LeaseExists, Grant(5, 10).Error);
        Assert.Same(EtcdErrors.LeaseTtlTooLarge, Grant(6, Lessor.MaxLeaseTtl + 1).Error);
    }

    [Fact]
    public void Only_lease_requests_are_taken()
    {
        Assert.Null(_leases.Apply(new InternalRaftRequest { Put = new PutRequest { Key = B("k") } }));
    }

    [Fact]
    public void A_put_with_a_lease_attaches_a_re_put_moves_ignore_lease_keeps_and_a_delete_detaches()
    {
        Grant(1, 60);
        Grant(2, 60);
        Put("a", lease: 1);
        Put("b", lease: 1);
        Assert.Equal(["a", "b"], Keys(1));

        Put("a", lease: 2);
        Assert.Equal(["b"], Keys(1));
        Assert.Equal(["a"], Keys(2));

        Put("a", ignoreLease: true);
        Assert.Equal(["a"], Keys(2));
        Assert.Equal(2, _kv.Range(new RangeRequest { Key = B("a") }).Kvs[0].Lease);

        Put("a");
        Assert.Empty(Keys(2));

        _kv.DeleteRange(new DeleteRangeRequest { Key = B("b") });
        Assert.Empty(Keys(1));
    }

    [Fact]
    public void A_put_naming_an_unknown_lease_fails_with_etcds_error()
    {
        var e = Assert.Throws<EtcdException>(() => Put("k", lease: 99));
        Assert.Equal("etcdserver: requested lease not found", e.Error.Message);
    }

    [Fact]
    public void A_revoke_deletes_every_attached_key_in_one_revision()
    {
        Grant(1, 60);
        Put("x", lease: 1);
        Put("a", lease: 1);
        Put("m", lease: 1);
        Put("other");
        long before = _store.CurrentRevision;

        var response = Assert.IsType<LeaseRevokeResponse>(Revoke(1).Response);

        Assert.Equal(before + 1, _store.CurrentRevision);
        Assert.Equal(before + 1, response.Header.Revision);
        var left = _kv.Range(new RangeRequest { Key = B("\0"), RangeEnd = B("\0") });
        Assert.Equal(["other"], left.Kvs.Select(kv => kv.Key.ToStringUtf8()));
        // The deletions: one revision, sub revisions in key order.
        var tombstones = new List<(Revision Rev, string Key)>();
        _backend.ScanRecords(new Revision(before + 1, 0), new Revision(before + 2, 0), (rev, tombstone, kv) =>
        {
            Assert.True(tombstone);
            tombstones.Add((rev, Protocol.Mvccpb.KeyValue.Parser.ParseFrom(kv).Key.ToStringUtf8()));
            return true;
        });
        Assert.Equal([(new Revision(before + 1, 0), "a"), (new Revision(before + 1, 1), "m"), (new Revision(before + 1, 2), "x")], tombstones);
        Assert.Same(EtcdErrors.LeaseNotFound, Revoke(1).Error);
    }

    [Fact]
    public void Revoking_a_lease_without_keys_does_not_move_the_revision()
    {
        Grant(1, 60);
        long before = _store.CurrentRevision;
        var response = Assert.IsType<LeaseRevokeResponse>(Revoke(1).Response);
        Assert.Equal(before, _store.CurrentRevision);
        Assert.Equal(before, response.Header.Revision);
    }

    [Fact]
    public void A_store_reopened_on_the_same_records_attaches_the_live_keys_again()
    {
        Grant(1, 60);
        Put("a", lease: 1);
        Put("b", lease: 1);
        _kv.DeleteRange(new DeleteRangeRequest { Key = B("b") });
        var lessor = _f.Reopen();
        using var reopened = new MvccStore(_backend, lessor);
        Assert.Equal(1, lessor.LeaseOf(B("a").Span));
        Assert.Equal([B("a").ToByteArray()], lessor.TimeToLive(1, withKeys: true)!.Keys);
    }

    [Fact]
    public void Checkpoints_of_unknown_leases_are_ignored()
    {
        Grant(1, 600);
        var request = new LeaseCheckpointRequest();
        request.Checkpoints.Add(new LeaseCheckpoint { ID = 1, RemainingTTL = 100 });
        request.Checkpoints.Add(new LeaseCheckpoint { ID = 2, RemainingTTL = 100 });
        var result = _leases.Apply(new InternalRaftRequest { LeaseCheckpoint = request })!;
        Assert.IsType<LeaseCheckpointResponse>(result.Response);
        _f.Lessor.Promote(TimeSpan.Zero);
        Assert.Equal(100, _f.Remaining(1));
    }
}
