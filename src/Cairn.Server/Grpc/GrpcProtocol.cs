namespace Cairn.Server.Grpc;

/// <summary>Names and values the gRPC-over-HTTP/2 protocol fixes.</summary>
public static class GrpcProtocol
{
    public const string ContentType = "application/grpc";
    public const string ContentTypeHeader = "content-type";
    public const string StatusHeader = "grpc-status";
    public const string MessageHeader = "grpc-message";
    public const string TimeoutHeader = "grpc-timeout";
    public const string EncodingHeader = "grpc-encoding";
    public const string AcceptEncodingHeader = "grpc-accept-encoding";
    public const string TeHeader = "te";
    public const string TeTrailers = "trailers";
    public const string IdentityEncoding = "identity";
    public const string GzipEncoding = "gzip";

    /// <summary>What this layer can decompress, for <c>grpc-accept-encoding</c>.</summary>
    public const string SupportedEncodings = "identity,gzip";

    /// <summary>A message on the wire: a compressed flag byte, then the length as 4 big-endian bytes.</summary>
    public const int MessageHeaderSize = 5;

    /// <summary>grpc-go's default for the largest message a server accepts.</summary>
    public const int DefaultMaxReceiveMessageSize = 4 * 1024 * 1024;

    /// <summary>
    /// True for <c>application/grpc</c> and <c>application/grpc+proto</c> (or any other
    /// <c>+subtype</c> or <c>;parameters</c>), as grpc-go accepts them.
    /// </summary>
    public static bool IsGrpcContentType(string? contentType)
    {
        if (contentType is null || !contentType.StartsWith(ContentType, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        if (contentType.Length == ContentType.Length)
        {
            return true;
        }
        var next = contentType[ContentType.Length];
        return next is '+' or ';';
    }

    /// <summary>Reserved headers that are protocol, not user metadata (as grpc-go classifies them).</summary>
    public static bool IsReservedHeader(string name)
    {
        if (name.Length > 0 && name[0] == ':')
        {
            return true;
        }
        return name.ToLowerInvariant() switch
        {
            "content-type" or "user-agent" or "grpc-message-type" or "grpc-encoding" or "grpc-message"
                or "grpc-status" or "grpc-timeout" or "grpc-status-details-bin" or "te"
                or "grpc-accept-encoding" or "content-length" or "host" or "connection" => true,
            _ => false,
        };
    }
}
