using System.Collections.Frozen;
using Google.Protobuf;

namespace Cairn.Server.Grpc.Server;

/// <summary>
/// The methods a server answers, by full path. Filled before the server starts (the host takes
/// a frozen copy); a path registered twice is a programming error and throws.
/// </summary>
public sealed class GrpcServiceRegistry
{
    private readonly Dictionary<string, ServerMethod> _methods = new(StringComparer.Ordinal);

    public IReadOnlyCollection<ServerMethod> Methods => _methods.Values;

    public GrpcServiceRegistry AddUnary<TRequest, TResponse>(
        GrpcMethod<TRequest, TResponse> method, UnaryHandler<TRequest, TResponse> handler)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
        => Add(method, handler, GrpcMethodType.Unary, new UnaryServerMethod<TRequest, TResponse>(method, handler));

    public GrpcServiceRegistry AddServerStreaming<TRequest, TResponse>(
        GrpcMethod<TRequest, TResponse> method, ServerStreamingHandler<TRequest, TResponse> handler)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
        => Add(method, handler, GrpcMethodType.ServerStreaming, new ServerStreamingServerMethod<TRequest, TResponse>(method, handler));

    public GrpcServiceRegistry AddClientStreaming<TRequest, TResponse>(
        GrpcMethod<TRequest, TResponse> method, ClientStreamingHandler<TRequest, TResponse> handler)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
        => Add(method, handler, GrpcMethodType.ClientStreaming, new ClientStreamingServerMethod<TRequest, TResponse>(method, handler));

    public GrpcServiceRegistry AddDuplexStreaming<TRequest, TResponse>(
        GrpcMethod<TRequest, TResponse> method, DuplexStreamingHandler<TRequest, TResponse> handler)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
        => Add(method, handler, GrpcMethodType.DuplexStreaming, new DuplexStreamingServerMethod<TRequest, TResponse>(method, handler));

    /// <summary>An immutable snapshot for lookups on the request path.</summary>
    internal GrpcMethodTable Freeze() => new(
        _methods.ToFrozenDictionary(StringComparer.Ordinal),
        _methods.Values.Select(m => m.Method.ServiceName).ToFrozenSet(StringComparer.Ordinal));

    private GrpcServiceRegistry Add(GrpcMethod method, Delegate handler, GrpcMethodType expected, ServerMethod serverMethod)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(handler);
        if (method.Type != expected)
        {
            throw new ArgumentException($"{method.FullName} is declared {method.Type}, not {expected}", nameof(method));
        }
        if (!_methods.TryAdd(method.FullName, serverMethod))
        {
            throw new InvalidOperationException($"{method.FullName} is already registered");
        }
        return this;
    }
}

/// <summary>The frozen registry: methods by path, and the set of known services.</summary>
internal sealed record GrpcMethodTable(FrozenDictionary<string, ServerMethod> Methods, FrozenSet<string> Services);
