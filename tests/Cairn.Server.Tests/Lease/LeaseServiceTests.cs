using Cairn.Protocol.Etcdserverpb;
using Cairn.Server.Api;
using Cairn.Server.Grpc;
using Cairn.Server.Tests.Grpc.Support;
using Cairn.Server.Tests.Server;
using Google.Protobuf;

namespace Cairn.Server.Tests.Lease;

/// <summary>The Lease service over the wire (our gRPC client against a member's services): answers and error texts as etcd's.</summary>
public sealed class LeaseServiceTests : IAsyncLifetime
{
    private TestMember _member = null!;
    private TestWireServer _wire = null!;
    private Cairn.Server.Grpc.Client.GrpcChannel _channel = null!;

    public async Task InitializeAsync()
    {
        _member = await TestMember.StartAsync();
        _wire = await TestWireServer.StartAsync(registry =>
        {
            new KvService(_member.Server).Register(registry);
            new LeaseService(_member.Server).Register(registry);
        });
        _channel = _wire.CreateChannel();
    }

    public async Task DisposeAsync()
    {
        _channel.Dispose();
        await _wire.DisposeAsync();
        await _member.DisposeAsync();
    }

    private Task<LeaseGrantResponse> Grant(long ttl, long id = 0) =>
        _channel.UnaryAsync(EtcdMethods.Lease.LeaseGrant, new LeaseGrantRequest { TTL = ttl, ID = id });

    [Fact]
    public async Task A_grant_without_an_id_gets_a_positive_one_chosen_by_the_server()
    {
        var first = await Grant(60);
        var second = await Grant(60);
        Assert.True(first.ID > 0 && second.ID > 0 && first.ID != second.ID);
        Assert.Equal(60, first.TTL);
        Assert.Equal(_member.Server.Id, first.Header.MemberId);
        Assert.Equal(_member.Server.ClusterId, first.Header.ClusterId);
        Assert.True(first.Header.Revision >= 1 && first.Header.RaftTerm >= 1);
    }

    [Fact]
    public async Task A_client_chosen_id_is_kept_and_a_second_grant_of_it_fails_as_etcds()
    {
        Assert.Equal(0x1234, (await Grant(60, 0x1234)).ID);
        var e = await Assert.ThrowsAsync<GrpcException>(() => Grant(60, 0x1234));
        Assert.Equal((GrpcStatusCode.FailedPrecondition, "etcdserver: lease already exists"), (e.Code, e.Detail));
        e = await Assert.ThrowsAsync<GrpcException>(() => Grant(9_000_000_001));
        Assert.Equal((GrpcStatusCode.OutOfRange, "etcdserver: too large lease TTL"), (e.Code, e.Detail));
    }

    [Fact]
    public async Task Keep_alive_answers_each_request_with_the_granted_ttl_and_zero_for_an_unknown_lease()
    {
        var lease = await Grant(60);
        using var call = _channel.DuplexStreaming(EtcdMethods.Lease.LeaseKeepAlive);
        foreach (long id in new[] { lease.ID, 999, lease.ID })
        {
            await call.RequestStream.WriteAsync(new LeaseKeepAliveRequest { ID = id });
            Assert.True(await call.ResponseStream.MoveNextAsync());
            var response = call.ResponseStream.Current;
            Assert.Equal(id, response.ID);
            Assert.Equal(id == 999 ? 0 : 60, response.TTL);
            Assert.Equal(_member.Server.Id, response.Header.MemberId);
        }
        await call.RequestStream.CompleteAsync();
        Assert.False(await call.ResponseStream.MoveNextAsync());
    }

    [Fact]
    public async Task Time_to_live_lists_the_keys_and_reports_minus_one_for_an_unknown_lease()
    {
        var lease = await Grant(60);
        foreach (var key in new[] { "b", "a" })
        {
            await _channel.UnaryAsync(EtcdMethods.Kv.Put, new PutRequest { Key = ByteString.CopyFromUtf8(key), Value = ByteString.CopyFromUtf8("v"), Lease = lease.ID });
        }
        var status = await _channel.UnaryAsync(EtcdMethods.Lease.LeaseTimeToLive, new LeaseTimeToLiveRequest { ID = lease.ID, Keys = true });
        Assert.Equal(60, status.GrantedTTL);
        Assert.InRange(status.TTL, 55, 60);
        Assert.Equal(["a", "b"], status.Keys.Select(k => k.ToStringUtf8()));
        var withoutKeys = await _channel.UnaryAsync(EtcdMethods.Lease.LeaseTimeToLive, new LeaseTimeToLiveRequest { ID = lease.ID });
        Assert.Empty(withoutKeys.Keys);

        var unknown = await _channel.UnaryAsync(EtcdMethods.Lease.LeaseTimeToLive, new LeaseTimeToLiveRequest { ID = 4242, Keys = true });
        Assert.Equal((4242L, -1L, 0L), (unknown.ID, unknown.TTL, unknown.GrantedTTL));
        Assert.Empty(unknown.Keys);
        Assert.Equal(_member.Server.Store.CurrentRevision, unknown.Header.Revision);
    }

    [Fact]
    public async Task Revoke_deletes_the_keys_and_an_unknown_lease_is_not_found_as_etcds()
    {
        var lease = await Grant(60);
        var put = await _channel.UnaryAsync(EtcdMethods.Kv.Put, new PutRequest { Key = ByteString.CopyFromUtf8("k"), Lease = lease.ID });
        var revoked = await _channel.UnaryAsync(EtcdMethods.Lease.LeaseRevoke, new LeaseRevokeRequest { ID = lease.ID });
        Assert.Equal(put.Header.Revision + 1, revoked.Header.Revision);
        var range = await _channel.UnaryAsync(EtcdMethods.Kv.Range, new RangeRequest { Key = ByteString.CopyFromUtf8("k") });
        Assert.Empty(range.Kvs);

        var e = await Assert.ThrowsAsync<GrpcException>(() => _channel.UnaryAsync(EtcdMethods.Lease.LeaseRevoke, new LeaseRevokeRequest { ID = lease.ID }));
        Assert.Equal((GrpcStatusCode.NotFound, "etcdserver: requested lease not found"), (e.Code, e.Detail));
        e = await Assert.ThrowsAsync<GrpcException>(() => _channel.UnaryAsync(EtcdMethods.Kv.Put, new PutRequest { Key = ByteString.CopyFromUtf8("k"), Lease = lease.ID }));
        Assert.Equal((GrpcStatusCode.NotFound, "etcdserver: requested lease not found"), (e.Code, e.Detail));
    }

    [Fact]
    public async Task Leases_lists_every_lease_soonest_expiry_first()
    {
        var late = await Grant(600);
        var soon = await Grant(30);
        var list = await _channel.UnaryAsync(EtcdMethods.Lease.LeaseLeases, new LeaseLeasesRequest());
        Assert.Equal([soon.ID, late.ID], list.Leases.Select(l => l.ID));
    }
}
