using System.Globalization;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;

namespace Cairn.Server.Grpc.Client;

/// <summary>
/// How the client turns what came back (headers, trailers, HTTP errors, transport failures) into
/// a status, following grpc-go's choices of code and text.
/// </summary>
internal static class GrpcClientStatus
{
    public const string Cancelled = "context canceled";
    public const string DeadlineExceeded = "context deadline exceeded";

    /// <summary>
    /// A status carried by the response headers: a trailers-only response, or an HTTP answer that
    /// is not gRPC at all. Null when the headers open a normal gRPC response.
    /// </summary>
    public static GrpcException? FromHeaders(HttpResponseMessage response)
    {
        if (response.StatusCode != HttpStatusCode.OK)
        {
            var code = (int)response.StatusCode switch
            {
                400 => GrpcStatusCode.Internal,
                401 => GrpcStatusCode.Unauthenticated,
                403 => GrpcStatusCode.PermissionDenied,
                404 => GrpcStatusCode.Unimplemented,
                429 or 502 or 503 or 504 => GrpcStatusCode.Unavailable,
                _ => GrpcStatusCode.Unknown,
            };
            return new GrpcException(code,
                $"unexpected HTTP status code received from server: {(int)response.StatusCode} ({response.ReasonPhrase ?? response.StatusCode.ToString()})");
        }
        var contentType = response.Content.Headers.NonValidated.TryGetValues("content-type", out var types) ? types.ToString() : null;
        if (!GrpcProtocol.IsGrpcContentType(contentType))
        {
            return new GrpcException(GrpcStatusCode.Unknown,
                contentType is null
                    ? "transport: missing content-type field"
                    : $"transport: received the unexpected content-type {GoQuote.Quote(contentType)}");
        }
        return Read(response.Headers, treatMissingAsFailure: false);
    }

    /// <summary>The status in the trailers; a stream that ended without one is an error.</summary>
    public static GrpcException? FromTrailers(HttpResponseMessage response, out bool ok)
    {
        var failure = Read(response.TrailingHeaders, treatMissingAsFailure: true);
        ok = failure is null;
        return failure;
    }

    /// <summary>A failure of the HTTP layer under the call, as grpc-go would report it.</summary>
    public static GrpcException FromTransport(Exception e, bool deadlineFired, bool cancelled)
    {
        if (deadlineFired)
        {
            return new GrpcException(GrpcStatusCode.DeadlineExceeded, DeadlineExceeded, null, e);
        }
        if (cancelled)
        {
            return new GrpcException(GrpcStatusCode.Cancelled, Cancelled, null, e);
        }
        if (e is GrpcException grpc)
        {
            return grpc;
        }
        var protocolError = FindInner<HttpProtocolException>(e);
        if (protocolError is not null)
        {
            var (code, name) = protocolError.ErrorCode switch
            {
                0x0 => (GrpcStatusCode.Internal, "NO_ERROR"),
                0x1 => (GrpcStatusCode.Internal, "PROTOCOL_ERROR"),
                0x2 => (GrpcStatusCode.Internal, "INTERNAL_ERROR"),
                0x3 => (GrpcStatusCode.Internal, "FLOW_CONTROL_ERROR"),
                0x7 => (GrpcStatusCode.Unavailable, "REFUSED_STREAM"),
                0x8 => (GrpcStatusCode.Cancelled, "CANCEL"),
                0xb => (GrpcStatusCode.ResourceExhausted, "ENHANCE_YOUR_CALM"),
                0xc => (GrpcStatusCode.PermissionDenied, "INADEQUATE_SECURITY"),
                var other => (GrpcStatusCode.Internal, "0x" + other.ToString("x", CultureInfo.InvariantCulture)),
            };
            return new GrpcException(code, $"stream terminated by RST_STREAM with error code: {name}", null, e);
        }
        if (e is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError })
        {
            return new GrpcException(GrpcStatusCode.Unavailable,
                $"connection error: desc = \"transport: Error while dialing {Innermost(e).Message}\"", null, e);
        }
        return new GrpcException(GrpcStatusCode.Unavailable, $"transport: {Innermost(e).Message}", null, e);
    }

    private static GrpcException? Read(HttpHeaders headers, bool treatMissingAsFailure)
    {
        if (!headers.NonValidated.TryGetValues(GrpcProtocol.StatusHeader, out var statusValues))
        {
            return treatMissingAsFailure
                ? new GrpcException(GrpcStatusCode.Internal, "server closed the stream without sending trailers")
                : null;
        }
        var statusText = statusValues.ToString();
        if (!int.TryParse(statusText, NumberStyles.None, CultureInfo.InvariantCulture, out var code))
        {
            return new GrpcException(GrpcStatusCode.Internal, $"transport: malformed grpc-status: {statusText}");
        }
        if (code == 0)
        {
            return null;
        }
        var message = headers.NonValidated.TryGetValues(GrpcProtocol.MessageHeader, out var messageValues)
            ? GrpcStatusMessage.Decode(messageValues.ToString())
            : "";
        return new GrpcException((GrpcStatusCode)code, message, ToMetadata(headers));
    }

    /// <summary>Custom metadata in a header block (what a failed call hands back as trailers).</summary>
    public static GrpcMetadata ToMetadata(HttpHeaders headers)
    {
        var metadata = new GrpcMetadata();
        foreach (var (name, values) in headers.NonValidated)
        {
            if (GrpcProtocol.IsReservedHeader(name) || name.Equals("date", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            foreach (var value in values)
            {
                metadata.TryAddFromWire(name, value);
            }
        }
        return metadata.Freeze();
    }

    private static T? FindInner<T>(Exception e)
        where T : Exception
    {
        for (Exception? current = e; current is not null; current = current.InnerException)
        {
            if (current is T match)
            {
                return match;
            }
        }
        return null;
    }

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null)
        {
            e = e.InnerException;
        }
        return e;
    }
}
