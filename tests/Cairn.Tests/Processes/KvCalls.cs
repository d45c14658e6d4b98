using Cairn.Protocol.Etcdserverpb;
using Cairn.Server.Grpc;

namespace Cairn.Tests.Processes;

/// <summary>etcd's KV methods by etcd's paths and message types, for tests that call the server directly.</summary>
internal static class KvCalls
{
    private const string Service = "etcdserverpb.KV";

    public static readonly GrpcMethod<PutRequest, PutResponse> Put = GrpcMethod.Unary(Service, "Put", PutRequest.Parser, PutResponse.Parser);

    public static readonly GrpcMethod<RangeRequest, RangeResponse> Range = GrpcMethod.Unary(Service, "Range", RangeRequest.Parser, RangeResponse.Parser);

    public static readonly GrpcMethod<DeleteRangeRequest, DeleteRangeResponse> DeleteRange =
        GrpcMethod.Unary(Service, "DeleteRange", DeleteRangeRequest.Parser, DeleteRangeResponse.Parser);

    public static readonly GrpcMethod<TxnRequest, TxnResponse> Txn = GrpcMethod.Unary(Service, "Txn", TxnRequest.Parser, TxnResponse.Parser);

    public static readonly GrpcMethod<CompactionRequest, CompactionResponse> Compact =
        GrpcMethod.Unary(Service, "Compact", CompactionRequest.Parser, CompactionResponse.Parser);
}
