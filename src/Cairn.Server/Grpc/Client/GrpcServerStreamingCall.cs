namespace Cairn.Server.Grpc.Client;

/// <summary>
/// A server-streaming call in progress. Read <see cref="ResponseStream"/> to its end (a non-OK
/// status throws <see cref="GrpcException"/> from it); dispose to cancel early.
/// </summary>
public sealed class GrpcServerStreamingCall<TResponse> : IDisposable
    where TResponse : class
{
    private readonly IClientCallResponses<TResponse> _call;

    internal GrpcServerStreamingCall(IClientCallResponses<TResponse> call)
    {
        _call = call;
        ResponseStream = new ClientResponseStream<TResponse>(call);
    }

    public IGrpcStreamReader<TResponse> ResponseStream { get; }

    /// <summary>The metadata of the response headers.</summary>
    public Task<GrpcMetadata> ResponseHeadersAsync() => _call.ResponseHeadersAsync();

    /// <summary>The metadata of the trailers, once the response stream has ended.</summary>
    public GrpcMetadata GetTrailers() => _call.GetTrailers();

    /// <summary>Cancels the call if it is still running (the server sees a reset stream) and frees it.</summary>
    public void Dispose() => _call.Dispose();
}
