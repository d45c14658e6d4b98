using Google.Protobuf;

namespace Cairn.Server.Grpc.Client;

/// <summary>
/// A client-streaming call in progress: write requests, complete the request stream, then await
/// <see cref="ResponseAsync"/>. Dispose to cancel early.
/// </summary>
public sealed class GrpcClientStreamingCall<TRequest, TResponse> : IDisposable
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    private readonly GrpcClientCall<TRequest, TResponse> _call;
    private readonly Lazy<Task<TResponse>> _response;

    internal GrpcClientStreamingCall(GrpcClientCall<TRequest, TResponse> call)
    {
        _call = call;
        RequestStream = new ClientRequestStream<TRequest, TResponse>(call);
        _response = new Lazy<Task<TResponse>>(call.ReadSingleAsync);
    }

    public IGrpcClientStreamWriter<TRequest> RequestStream { get; }

    /// <summary>The one response; a non-OK status throws <see cref="GrpcException"/>.</summary>
    public Task<TResponse> ResponseAsync => _response.Value;

    public Task<GrpcMetadata> ResponseHeadersAsync() => _call.ResponseHeadersAsync();

    public GrpcMetadata GetTrailers() => _call.GetTrailers();

    public void Dispose() => _call.Dispose();
}
