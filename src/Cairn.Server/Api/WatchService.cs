using Cairn.Protocol.Etcdserverpb;
using Cairn.Server.Grpc;
using Cairn.Server.Grpc.Server;
using Cairn.Server.Watch;
using Microsoft.AspNetCore.Http.Features;

namespace Cairn.Server.Api;

/// <summary>
/// etcd's Watch service (v3rpc/watch.go): one bidirectional stream per call, carrying create,
/// cancel and progress requests one way and the hub's responses the other. The receive side
/// handles requests in order, waiting while the stream's responses fill its buffer; the send
/// side writes what the hub queued. When the client ends its side the stream keeps sending
/// until the client goes away, as etcd's does.
/// </summary>
public sealed class WatchService(WatchHub hub)
{
    /// <summary>HTTP/2 INTERNAL_ERROR: grpc-go reports it as codes.Internal, which clientv3 answers by reconnecting.</summary>
    private const int StalledStreamResetCode = 2;

    /// <summary>
    /// The Watch method as served: the same path and wire format as
    /// <see cref="EtcdMethods.Watch.Stream"/>, with responses written from pre-encoded parts.
    /// </summary>
    public static readonly GrpcMethod<WatchRequest, WatchResponseFrame> ServedWatch =
        GrpcMethod.DuplexStreaming(EtcdMethods.Watch.Stream.ServiceName, EtcdMethods.Watch.Stream.Name, WatchRequest.Parser, WatchResponseFrame.Parser);

    public void Register(GrpcServiceRegistry registry) => registry.AddDuplexStreaming(ServedWatch, WatchAsync);

    private async Task WatchAsync(IGrpcStreamReader<WatchRequest> requests, IGrpcStreamWriter<WatchResponseFrame> responses, GrpcCallContext context)
    {
        using var done = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
        WatchStream stream;
        try
        {
            stream = hub.OpenStream(() => Reset(context));
        }
        catch (ObjectDisposedException)
        {
            throw new GrpcException(GrpcStatusCode.Unavailable, "etcdserver: server stopped");
        }
        using (stream)
        {
            var sending = stream.SendAsync(responses, done.Token);
            var receiving = ReceiveAsync(requests, stream, done.Token);
            var first = await Task.WhenAny(sending, receiving).ConfigureAwait(false);
            if (first == receiving && receiving.IsCompletedSuccessfully)
            {
                // The client closed its side: responses keep flowing until it goes away.
                await sending.ConfigureAwait(false);
                return;
            }
            done.Cancel();
            try
            {
                await Task.WhenAll(sending, receiving).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!context.CancellationToken.IsCancellationRequested && first.IsCompletedSuccessfully)
            {
                // The other side stopped because this one ended.
            }
        }
    }

    private static async Task ReceiveAsync(IGrpcStreamReader<WatchRequest> requests, WatchStream stream, CancellationToken cancellationToken)
    {
        while (await requests.MoveNextAsync(cancellationToken).ConfigureAwait(false))
        {
            await stream.WaitForRoomAsync(cancellationToken).ConfigureAwait(false);
            stream.Handle(requests.Current);
        }
    }

    private static void Reset(GrpcCallContext context) =>
        context.Features.Get<IHttpResetFeature>()?.Reset(StalledStreamResetCode);
}
