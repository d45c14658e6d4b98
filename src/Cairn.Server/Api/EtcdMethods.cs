using Cairn.Protocol.Etcdserverpb;
using Cairn.Protocol.Healthpb;
using Cairn.Protocol.V3electionpb;
using Cairn.Protocol.V3lockpb;
using Cairn.Server.Grpc;

namespace Cairn.Server.Api;

/// <summary>
/// etcd's gRPC methods, declared once for the server that answers them and the clients (peers,
/// tests, benchmarks) that call them. Paths and message types are etcd's.
/// </summary>
public static class EtcdMethods
{
    public static class Kv
    {
        private const string Service = "etcdserverpb.KV";

        public static readonly GrpcMethod<RangeRequest, RangeResponse> Range =
            GrpcMethod.Unary(Service, "Range", RangeRequest.Parser, RangeResponse.Parser);

        public static readonly GrpcMethod<PutRequest, PutResponse> Put =
            GrpcMethod.Unary(Service, "Put", PutRequest.Parser, PutResponse.Parser);

        public static readonly GrpcMethod<DeleteRangeRequest, DeleteRangeResponse> DeleteRange =
            GrpcMethod.Unary(Service, "DeleteRange", DeleteRangeRequest.Parser, DeleteRangeResponse.Parser);

        public static readonly GrpcMethod<TxnRequest, TxnResponse> Txn =
            GrpcMethod.Unary(Service, "Txn", TxnRequest.Parser, TxnResponse.Parser);

        public static readonly GrpcMethod<CompactionRequest, CompactionResponse> Compact =
            GrpcMethod.Unary(Service, "Compact", CompactionRequest.Parser, CompactionResponse.Parser);
    }

    public static class Lease
    {
        private const string Service = "etcdserverpb.Lease";

        public static readonly GrpcMethod<LeaseGrantRequest, LeaseGrantResponse> LeaseGrant =
            GrpcMethod.Unary(Service, "LeaseGrant", LeaseGrantRequest.Parser, LeaseGrantResponse.Parser);

        public static readonly GrpcMethod<LeaseRevokeRequest, LeaseRevokeResponse> LeaseRevoke =
            GrpcMethod.Unary(Service, "LeaseRevoke", LeaseRevokeRequest.Parser, LeaseRevokeResponse.Parser);

        public static readonly GrpcMethod<LeaseKeepAliveRequest, LeaseKeepAliveResponse> LeaseKeepAlive =
            GrpcMethod.DuplexStreaming(Service, "LeaseKeepAlive", LeaseKeepAliveRequest.Parser, LeaseKeepAliveResponse.Parser);

        public static readonly GrpcMethod<LeaseTimeToLiveRequest, LeaseTimeToLiveResponse> LeaseTimeToLive =
            GrpcMethod.Unary(Service, "LeaseTimeToLive", LeaseTimeToLiveRequest.Parser, LeaseTimeToLiveResponse.Parser);

        public static readonly GrpcMethod<LeaseLeasesRequest, LeaseLeasesResponse> LeaseLeases =
            GrpcMethod.Unary(Service, "LeaseLeases", LeaseLeasesRequest.Parser, LeaseLeasesResponse.Parser);
    }

    public static class Watch
    {
        private const string Service = "etcdserverpb.Watch";

        /// <summary>The Watch method (the field cannot share its class's name).</summary>
        public static readonly GrpcMethod<WatchRequest, WatchResponse> Stream =
            GrpcMethod.DuplexStreaming(Service, "Watch", WatchRequest.Parser, WatchResponse.Parser);
    }

    public static class Maintenance
    {
        private const string Service = "etcdserverpb.Maintenance";

        public static readonly GrpcMethod<StatusRequest, StatusResponse> Status =
            GrpcMethod.Unary(Service, "Status", StatusRequest.Parser, StatusResponse.Parser);

        public static readonly GrpcMethod<SnapshotRequest, SnapshotResponse> Snapshot =
            GrpcMethod.ServerStreaming(Service, "Snapshot", SnapshotRequest.Parser, SnapshotResponse.Parser);

        public static readonly GrpcMethod<DefragmentRequest, DefragmentResponse> Defragment =
            GrpcMethod.Unary(Service, "Defragment", DefragmentRequest.Parser, DefragmentResponse.Parser);

        public static readonly GrpcMethod<HashRequest, HashResponse> Hash =
            GrpcMethod.Unary(Service, "Hash", HashRequest.Parser, HashResponse.Parser);

        public static readonly GrpcMethod<HashKVRequest, HashKVResponse> HashKV =
            GrpcMethod.Unary(Service, "HashKV", HashKVRequest.Parser, HashKVResponse.Parser);

        public static readonly GrpcMethod<AlarmRequest, AlarmResponse> Alarm =
            GrpcMethod.Unary(Service, "Alarm", AlarmRequest.Parser, AlarmResponse.Parser);
    }

    public static class Cluster
    {
        private const string Service = "etcdserverpb.Cluster";

        public static readonly GrpcMethod<MemberListRequest, MemberListResponse> MemberList =
            GrpcMethod.Unary(Service, "MemberList", MemberListRequest.Parser, MemberListResponse.Parser);
    }

    public static class Lock
    {
        private const string Service = "v3lockpb.Lock";

        /// <summary>The Lock method (the field cannot share its class's name).</summary>
        public static readonly GrpcMethod<LockRequest, LockResponse> Acquire =
            GrpcMethod.Unary(Service, "Lock", LockRequest.Parser, LockResponse.Parser);

        public static readonly GrpcMethod<UnlockRequest, UnlockResponse> Unlock =
            GrpcMethod.Unary(Service, "Unlock", UnlockRequest.Parser, UnlockResponse.Parser);
    }

    public static class Election
    {
        private const string Service = "v3electionpb.Election";

        public static readonly GrpcMethod<CampaignRequest, CampaignResponse> Campaign =
            GrpcMethod.Unary(Service, "Campaign", CampaignRequest.Parser, CampaignResponse.Parser);

        public static readonly GrpcMethod<ProclaimRequest, ProclaimResponse> Proclaim =
            GrpcMethod.Unary(Service, "Proclaim", ProclaimRequest.Parser, ProclaimResponse.Parser);

        public static readonly GrpcMethod<LeaderRequest, LeaderResponse> Leader =
            GrpcMethod.Unary(Service, "Leader", LeaderRequest.Parser, LeaderResponse.Parser);

        public static readonly GrpcMethod<LeaderRequest, LeaderResponse> Observe =
            GrpcMethod.ServerStreaming(Service, "Observe", LeaderRequest.Parser, LeaderResponse.Parser);

        public static readonly GrpcMethod<ResignRequest, ResignResponse> Resign =
            GrpcMethod.Unary(Service, "Resign", ResignRequest.Parser, ResignResponse.Parser);
    }

    public static class Health
    {
        private const string Service = "grpc.health.v1.Health";

        public static readonly GrpcMethod<HealthCheckRequest, HealthCheckResponse> Check =
            GrpcMethod.Unary(Service, "Check", HealthCheckRequest.Parser, HealthCheckResponse.Parser);
    }
}
