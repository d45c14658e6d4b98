using Google.Protobuf;

namespace Cairn.Server.Grpc;

/// <summary>
/// What both sides must agree on about one method: its path (<c>/etcdserverpb.KV/Range</c>),
/// its kind and its message types. Immutable, so a service can declare its methods once as
/// static fields and share them between the server registration and the client.
/// </summary>
public abstract class GrpcMethod
{
    private protected GrpcMethod(GrpcMethodType type, string serviceName, string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(serviceName);
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name.Contains('/'))
        {
            throw new ArgumentException($"method name '{name}' must not contain '/'", nameof(name));
        }
        Type = type;
        ServiceName = serviceName;
        Name = name;
        FullName = "/" + serviceName + "/" + name;
    }

    public GrpcMethodType Type { get; }

    /// <summary>The fully qualified service name, e.g. <c>etcdserverpb.KV</c>.</summary>
    public string ServiceName { get; }

    /// <summary>The method's own name, e.g. <c>Range</c>.</summary>
    public string Name { get; }

    /// <summary>The HTTP/2 <c>:path</c> of a call, e.g. <c>/etcdserverpb.KV/Range</c>.</summary>
    public string FullName { get; }

    public override string ToString() => FullName;

    public static GrpcMethod<TRequest, TResponse> Unary<TRequest, TResponse>(
        string serviceName, string name, MessageParser<TRequest> requestParser, MessageParser<TResponse> responseParser)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
        => new(GrpcMethodType.Unary, serviceName, name, requestParser, responseParser);

    public static GrpcMethod<TRequest, TResponse> ServerStreaming<TRequest, TResponse>(
        string serviceName, string name, MessageParser<TRequest> requestParser, MessageParser<TResponse> responseParser)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
        => new(GrpcMethodType.ServerStreaming, serviceName, name, requestParser, responseParser);

    public static GrpcMethod<TRequest, TResponse> ClientStreaming<TRequest, TResponse>(
        string serviceName, string name, MessageParser<TRequest> requestParser, MessageParser<TResponse> responseParser)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
        => new(GrpcMethodType.ClientStreaming, serviceName, name, requestParser, responseParser);

    public static GrpcMethod<TRequest, TResponse> DuplexStreaming<TRequest, TResponse>(
        string serviceName, string name, MessageParser<TRequest> requestParser, MessageParser<TResponse> responseParser)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
        => new(GrpcMethodType.DuplexStreaming, serviceName, name, requestParser, responseParser);
}

/// <summary>A method whose request and response are protobuf messages.</summary>
public sealed class GrpcMethod<TRequest, TResponse> : GrpcMethod
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    public GrpcMethod(
        GrpcMethodType type,
        string serviceName,
        string name,
        MessageParser<TRequest> requestParser,
        MessageParser<TResponse> responseParser)
        : base(type, serviceName, name)
    {
        RequestParser = requestParser ?? throw new ArgumentNullException(nameof(requestParser));
        ResponseParser = responseParser ?? throw new ArgumentNullException(nameof(responseParser));
    }

    public MessageParser<TRequest> RequestParser { get; }

    public MessageParser<TResponse> ResponseParser { get; }
}
