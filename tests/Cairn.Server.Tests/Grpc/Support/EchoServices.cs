using Cairn.Server.Grpc;
using Cairn.Server.Grpc.Server;
using Google.Protobuf.WellKnownTypes;

namespace Cairn.Server.Tests.Grpc.Support;

/// <summary>The test-only echo service, one handler per call kind.</summary>
internal static class EchoServices
{
    public static GrpcServiceRegistry AddEcho(this GrpcServiceRegistry registry) => registry
        .AddUnary(TestMethods.Unary, (request, _) => ValueTask.FromResult(new StringValue { Value = request.Value }))
        .AddUnary(TestMethods.Empty, (_, _) => ValueTask.FromResult(new Empty()))
        .AddServerStreaming(TestMethods.ServerStream, CountAsync)
        .AddClientStreaming(TestMethods.ClientStream, ConcatenateAsync)
        .AddDuplexStreaming(TestMethods.Duplex, EchoEachAsync);

    /// <summary>"N" streams "0" to "N-1"; "N!" streams them and then fails with ABORTED.</summary>
    private static async Task CountAsync(StringValue request, IGrpcStreamWriter<StringValue> responses, GrpcCallContext context)
    {
        var fail = request.Value.EndsWith('!');
        var count = int.Parse(request.Value.TrimEnd('!'), System.Globalization.CultureInfo.InvariantCulture);
        for (var i = 0; i < count; i++)
        {
            await responses.WriteAsync(new StringValue { Value = i.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        }
        context.ResponseTrailers.Add("sent", count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (fail)
        {
            throw new GrpcException(GrpcStatusCode.Aborted, $"failed after {count}");
        }
    }

    private static async ValueTask<StringValue> ConcatenateAsync(IGrpcStreamReader<StringValue> requests, GrpcCallContext context)
    {
        var all = new System.Text.StringBuilder();
        await foreach (var request in requests.ReadAllAsync())
        {
            all.Append(request.Value);
        }
        return new StringValue { Value = all.ToString() };
    }

    private static async Task EchoEachAsync(IGrpcStreamReader<StringValue> requests, IGrpcStreamWriter<StringValue> responses, GrpcCallContext context)
    {
        await foreach (var request in requests.ReadAllAsync())
        {
            await responses.WriteAsync(new StringValue { Value = "echo:" + request.Value });
        }
    }
}
