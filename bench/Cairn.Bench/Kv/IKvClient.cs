using Cairn.Server.Grpc;
using Google.Protobuf;

namespace Cairn.Bench.Kv;

/// <summary>The client the load generator's requests go through; each sender is one closed-loop client's.</summary>
internal interface IKvClient : IDisposable
{
    KvRequestSender Sender<TRequest, TResponse>(
        GrpcMethod<TRequest, TResponse> method, KeySpace keys, Func<ByteString, TRequest> build, Func<TResponse, string?> check)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>;

    /// <summary>The client <c>--client</c> names, connected to the target.</summary>
    static async Task<IKvClient> ConnectAsync(KvBenchOptions options)
    {
        var timeout = options.RequestTimeout is { } t ? TimeSpan.FromSeconds(t) : (TimeSpan?)null;
        return options.Client switch
        {
            KvBenchOptions.GrpcClient => new GrpcKvClient(options.Target, options.EffectiveConnections, timeout),
            _ => await Http2KvClient.ConnectAsync(new Uri(options.Target), options.EffectiveConnections, timeout).ConfigureAwait(false),
        };
    }
}
