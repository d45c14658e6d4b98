using Google.Protobuf;

namespace Cairn.Server.Grpc.Client;

/// <summary>
/// A duplex call in progress: write to <see cref="RequestStream"/> and read
/// <see cref="ResponseStream"/> independently (one writer and one reader at a time). Dispose
/// to cancel early.
/// </summary>
public sealed class GrpcDuplexStreamingCall<TRequest, TResponse> : IDisposable
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    private readonly GrpcClientCall<TRequest, TResponse> _call;

    internal GrpcDuplexStreamingCall(GrpcClientCall<TRequest, TResponse> call)
    {
        _call = call;
        RequestStream = new ClientRequestStream<TRequest, TResponse>(call);
        ResponseStream = new ClientResponseStream<TResponse>(call);
    }

    public IGrpcClientStreamWriter<TRequest> RequestStream { get; }

    public IGrpcStreamReader<TResponse> ResponseStream { get; }

    public Task<GrpcMetadata> ResponseHeadersAsync() => _call.ResponseHeadersAsync();

    public GrpcMetadata GetTrailers() => _call.GetTrailers();

    public void Dispose() => _call.Dispose();
}
