using Cairn.Protocol.Healthpb;
using Cairn.Server.Api;
using Cairn.Server.Grpc;
using Cairn.Server.Grpc.Client;
using Cairn.Tests.Processes;
using Xunit.Abstractions;
using ServingStatus = Cairn.Protocol.Healthpb.HealthCheckResponse.Types.ServingStatus;

namespace Cairn.Tests.Oracle;

/// <summary>
/// grpc.health.v1.Health/Check, which load balancers and Kubernetes probes call on the client port (issue 4:
/// "answers SERVING"), through the project's own gRPC client against a real server; etcd 3.4.23 gets the same calls
/// and must give the same answers.
/// </summary>
public sealed class GrpcHealthTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(ServerKind.Etcd)]
    [InlineData(ServerKind.Cairn)]
    public async Task Health_check_of_the_server_answers_serving_and_an_unknown_service_not_found(ServerKind kind)
    {
        using var member = TestMember.Create();
        await using var server = await ServerProcess.StartAsync(kind, member, output);
        using var channel = new GrpcChannel(member.ClientUrl);
        var options = new GrpcCallOptions { Timeout = TimeSpan.FromSeconds(30) };

        var response = await channel.UnaryAsync(EtcdMethods.Health.Check, new HealthCheckRequest(), options);
        Assert.Equal(ServingStatus.Serving, response.Status);

        // etcd registers only the server's own status (""): any other name is unknown to it.
        var unknown = await Assert.ThrowsAsync<GrpcException>(() => channel.UnaryAsync(EtcdMethods.Health.Check, new HealthCheckRequest { Service = "etcdserverpb.KV" }, options));
        Assert.Equal(GrpcStatusCode.NotFound, unknown.Code);
        Assert.Equal("unknown service", unknown.Detail);
        await server.StopCleanlyAsync();
    }
}
