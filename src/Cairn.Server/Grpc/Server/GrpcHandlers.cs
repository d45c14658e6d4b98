namespace Cairn.Server.Grpc.Server;

/// <summary>Answers one request with one response.</summary>
public delegate ValueTask<TResponse> UnaryHandler<in TRequest, TResponse>(TRequest request, GrpcCallContext context);

/// <summary>Answers one request with a stream of responses; the call ends when the task does.</summary>
public delegate Task ServerStreamingHandler<in TRequest, TResponse>(
    TRequest request, IGrpcStreamWriter<TResponse> responses, GrpcCallContext context);

/// <summary>Answers a stream of requests with one response.</summary>
public delegate ValueTask<TResponse> ClientStreamingHandler<TRequest, TResponse>(
    IGrpcStreamReader<TRequest> requests, GrpcCallContext context);

/// <summary>Reads requests and writes responses at will; the call ends when the task does.</summary>
public delegate Task DuplexStreamingHandler<TRequest, TResponse>(
    IGrpcStreamReader<TRequest> requests, IGrpcStreamWriter<TResponse> responses, GrpcCallContext context);
