using Cairn.Protocol.Etcdserverpb;
using Cairn.Server.Grpc;

namespace Cairn.Bench.Kv;

/// <summary>The etcdserverpb.KV methods the load generator calls; etcd and cairn serve the same paths.</summary>
internal static class KvMethods
{
    public static readonly GrpcMethod<PutRequest, PutResponse> Put =
        GrpcMethod.Unary("etcdserverpb.KV", "Put", PutRequest.Parser, PutResponse.Parser);

    public static readonly GrpcMethod<RangeRequest, RangeResponse> Range =
        GrpcMethod.Unary("etcdserverpb.KV", "Range", RangeRequest.Parser, RangeResponse.Parser);

    public static readonly GrpcMethod<TxnRequest, TxnResponse> Txn =
        GrpcMethod.Unary("etcdserverpb.KV", "Txn", TxnRequest.Parser, TxnResponse.Parser);
}
