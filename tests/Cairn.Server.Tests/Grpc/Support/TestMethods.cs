using Cairn.Protocol.Etcdserverpb;
using Cairn.Server.Grpc;
using Google.Protobuf.WellKnownTypes;

namespace Cairn.Server.Tests.Grpc.Support;

/// <summary>Method descriptors the tests register: a test-only echo service and a few of etcd's.</summary>
internal static class TestMethods
{
    public const string EchoService = "cairn.test.Echo";

    public static readonly GrpcMethod<StringValue, StringValue> Unary =
        GrpcMethod.Unary(EchoService, "Unary", StringValue.Parser, StringValue.Parser);

    public static readonly GrpcMethod<StringValue, StringValue> ServerStream =
        GrpcMethod.ServerStreaming(EchoService, "ServerStream", StringValue.Parser, StringValue.Parser);

    public static readonly GrpcMethod<StringValue, StringValue> ClientStream =
        GrpcMethod.ClientStreaming(EchoService, "ClientStream", StringValue.Parser, StringValue.Parser);

    public static readonly GrpcMethod<StringValue, StringValue> Duplex =
        GrpcMethod.DuplexStreaming(EchoService, "Duplex", StringValue.Parser, StringValue.Parser);

    public static readonly GrpcMethod<Empty, Empty> Empty =
        GrpcMethod.Unary(EchoService, "Empty", Google.Protobuf.WellKnownTypes.Empty.Parser, Google.Protobuf.WellKnownTypes.Empty.Parser);

    public static readonly GrpcMethod<RangeRequest, RangeResponse> Range =
        GrpcMethod.Unary("etcdserverpb.KV", "Range", RangeRequest.Parser, RangeResponse.Parser);

    public static readonly GrpcMethod<PutRequest, PutResponse> Put =
        GrpcMethod.Unary("etcdserverpb.KV", "Put", PutRequest.Parser, PutResponse.Parser);

    public static readonly GrpcMethod<StatusRequest, StatusResponse> Status =
        GrpcMethod.Unary("etcdserverpb.Maintenance", "Status", StatusRequest.Parser, StatusResponse.Parser);

    public static readonly GrpcMethod<WatchRequest, WatchResponse> Watch =
        GrpcMethod.DuplexStreaming("etcdserverpb.Watch", "Watch", WatchRequest.Parser, WatchResponse.Parser);
}
