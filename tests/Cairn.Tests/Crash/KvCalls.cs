using Cairn.Protocol.Etcdserverpb;
using Cairn.Server.Grpc;

namespace Cairn.Tests.Crash;

/// <summary>The two etcd KV methods the crash test calls, by etcd's paths and message types.</summary>
internal static class KvCalls
{
    public static readonly GrpcMethod<PutRequest, PutResponse> Put =
        GrpcMethod.Unary("etcdserverpb.KV", "Put", PutRequest.Parser, PutResponse.Parser);

    public static readonly GrpcMethod<RangeRequest, RangeResponse> Range =
        GrpcMethod.Unary("etcdserverpb.KV", "Range", RangeRequest.Parser, RangeResponse.Parser);
}
