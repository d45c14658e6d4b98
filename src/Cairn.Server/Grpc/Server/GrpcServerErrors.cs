namespace Cairn.Server.Grpc.Server;

/// <summary>How failures on the server side become statuses, with grpc-go's texts.</summary>
internal static class GrpcServerErrors
{
    public const string Cancelled = "context canceled";
    public const string DeadlineExceeded = "context deadline exceeded";

    /// <summary>A transport failure under a read or write: the client reset the stream or left.</summary>
    public static GrpcException FromTransport(Exception e, CancellationToken callToken) =>
        callToken.IsCancellationRequested
            ? new GrpcException(GrpcStatusCode.Cancelled, Cancelled, null, e)
            : new GrpcException(GrpcStatusCode.Internal, "transport: " + e.Message, null, e);

    public static GrpcException UnknownService(string service) =>
        new(GrpcStatusCode.Unimplemented, $"unknown service {service}");

    public static GrpcException UnknownMethod(string service, string method) =>
        new(GrpcStatusCode.Unimplemented, $"unknown method {method} for service {service}");

    /// <summary>grpc-go answers a path without a '/' after the first with RESOURCE_EXHAUSTED (sic).</summary>
    public static GrpcException MalformedMethodName(string path) =>
        new(GrpcStatusCode.ResourceExhausted, $"malformed method name: {GoQuote.Quote(path)}");

    public static GrpcException UnsupportedEncoding(string encoding) =>
        new(GrpcStatusCode.Unimplemented, $"grpc: Decompressor is not installed for grpc-encoding {GoQuote.Quote(encoding)}");

    public static GrpcException MalformedTimeout(string error) =>
        new(GrpcStatusCode.Internal, $"transport: malformed time-out: {error}");
}
