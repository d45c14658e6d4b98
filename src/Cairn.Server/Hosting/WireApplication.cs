using Cairn.Server.Grpc;
using Cairn.Server.Grpc.Server;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http.Features;

namespace Cairn.Server.Hosting;

/// <summary>
/// What Kestrel runs for each request, without ASP.NET's middleware pipeline: gRPC requests
/// (content-type application/grpc) go to the dispatcher, everything else to the route table.
/// </summary>
internal sealed class WireApplication(GrpcDispatcher grpc, HttpRouteTable routes) : IHttpApplication<IFeatureCollection>
{
    public IFeatureCollection CreateContext(IFeatureCollection contextFeatures) => contextFeatures;

    public Task ProcessRequestAsync(IFeatureCollection context)
    {
        var request = context.GetRequiredFeature<IHttpRequestFeature>();
        return GrpcProtocol.IsGrpcContentType(request.Headers.ContentType.ToString())
            ? grpc.DispatchAsync(context)
            : routes.HandleAsync(context);
    }

    public void DisposeContext(IFeatureCollection context, Exception? exception)
    {
    }
}
