namespace Cairn.Server.Grpc;

/// <summary>
/// The one way a gRPC call fails, on both sides: a handler throws it to end its call with this
/// status, and the client throws it when a call ends with a status other than OK. The detail is
/// the text clients see (etcd clients match on it), so it is kept exactly as given.
/// </summary>
public sealed class GrpcException : Exception
{
    public GrpcException(GrpcStatusCode code, string detail)
        : this(code, detail, trailers: null, innerException: null)
    {
    }

    public GrpcException(GrpcStatusCode code, string detail, GrpcMetadata? trailers, Exception? innerException = null)
        : base(detail, innerException)
    {
        Code = code;
        Detail = detail;
        Trailers = trailers ?? GrpcMetadata.Empty;
    }

    public GrpcStatusCode Code { get; }

    /// <summary>The status message (<c>grpc-message</c>), decoded.</summary>
    public string Detail { get; }

    /// <summary>Trailing metadata the client received with the status; empty on the server side.</summary>
    public GrpcMetadata Trailers { get; }

    public override string ToString() => $"{nameof(GrpcException)}: code = {Code} desc = {Detail}";
}
