using Cairn.Protocol.Healthpb;
using Cairn.Server.Grpc;
using Cairn.Server.Grpc.Server;
using Cairn.Server.Hosting;

namespace Cairn.Bench.Grpc;

/// <summary>
/// The handler the layer benchmark calls: grpc.health.v1.Health/Check answering SERVING at
/// once. etcd 3.4 serves the same method from grpc-go, so one load generator measures both.
/// </summary>
internal static class BenchServices
{
    public static readonly GrpcMethod<HealthCheckRequest, HealthCheckResponse> Check =
        GrpcMethod.Unary("grpc.health.v1.Health", "Check", HealthCheckRequest.Parser, HealthCheckResponse.Parser);

    private static readonly HealthCheckResponse Serving = new() { Status = HealthCheckResponse.Types.ServingStatus.Serving };

    public static WireServer Create(string listenUrl, bool repairAuthority = true)
    {
        var registry = new GrpcServiceRegistry().AddUnary(Check, (_, _) => ValueTask.FromResult(Serving));
        var options = new WireServerOptions { ListenUrls = [listenUrl], RepairSchemeAuthority = repairAuthority };
        return new WireServer(options, registry, new HttpRouteTable());
    }
}
