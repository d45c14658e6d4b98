using Cairn.Protocol.Healthpb;
using Cairn.Server.Grpc;
using Cairn.Server.Grpc.Server;

namespace Cairn.Server.Api;

/// <summary>grpc.health.v1.Health as etcd registers it: the server ("") is SERVING; other names are unknown.</summary>
public sealed class HealthService
{
    public void Register(GrpcServiceRegistry registry) => registry.AddUnary(EtcdMethods.Health.Check, CheckAsync);

    private static ValueTask<HealthCheckResponse> CheckAsync(HealthCheckRequest request, GrpcCallContext context) =>
        request.Service.Length == 0
            ? ValueTask.FromResult(new HealthCheckResponse { Status = HealthCheckResponse.Types.ServingStatus.Serving })
            : throw new GrpcException(GrpcStatusCode.NotFound, "unknown service");
}
