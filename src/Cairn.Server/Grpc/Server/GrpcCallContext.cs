using System.Globalization;
using Cairn.Server.Grpc.Framing;
using Google.Protobuf;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;

namespace Cairn.Server.Grpc.Server;

/// <summary>
/// What a handler knows about its call: the method, the client's metadata, the deadline, a
/// token cancelled when the client goes away or the deadline passes, the peer, and the
/// response metadata it may add.
/// </summary>
public sealed class GrpcCallContext
{
    private readonly IHttpRequestFeature _request;
    private readonly GrpcServerOptions _options;
    private GrpcMessageReader? _reader;
    private GrpcMetadata? _requestHeaders;
    private string? _peer;

    internal GrpcCallContext(
        ServerMethod method,
        IFeatureCollection features,
        IHttpRequestFeature request,
        GrpcServerResponse response,
        GrpcServerOptions options,
        DateTime? deadline,
        CancellationToken cancellationToken)
    {
        ServerMethod = method;
        Features = features;
        _request = request;
        Response = response;
        _options = options;
        Deadline = deadline;
        CancellationToken = cancellationToken;
    }

    public GrpcMethod Method => ServerMethod.Method;

    /// <summary>When the client stops waiting (UTC), from <c>grpc-timeout</c>; null when it set none.</summary>
    public DateTime? Deadline { get; }

    /// <summary>Cancelled when the client cancels or disconnects, or the deadline passes.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>The client's custom metadata (protocol headers such as grpc-timeout are not in it).</summary>
    public GrpcMetadata RequestHeaders => _requestHeaders ??= ReadRequestHeaders();

    /// <summary>The <c>:authority</c> the client addressed.</summary>
    public string? Authority => _request.Headers.Host.Count > 0 ? _request.Headers.Host.ToString() : null;

    /// <summary>The client's address, "ip:port" (or the unix socket's path).</summary>
    public string Peer => _peer ??= FormatPeer();

    /// <summary>Metadata sent with the response headers; fixed once the first message or the headers go out.</summary>
    public GrpcMetadata ResponseHeaders => Response.Headers;

    /// <summary>Metadata sent with the status.</summary>
    public GrpcMetadata ResponseTrailers => Response.Trailers;

    /// <summary>The HTTP features of the request, for what this context does not surface (TLS, later).</summary>
    public IFeatureCollection Features { get; }

    internal ServerMethod ServerMethod { get; }

    internal GrpcServerResponse Response { get; }

    internal string? RequestEncoding { get; init; }

    /// <summary>Sends the response headers now, before any message.</summary>
    public ValueTask SendResponseHeadersAsync() => Response.SendHeadersAsync(CancellationToken);

    internal async ValueTask<T> ReadSingleRequestAsync<T>(MessageParser<T> parser)
        where T : class, IMessage<T>
    {
        var message = await Reader(unary: true).ReadAsync(parser, CancellationToken).ConfigureAwait(false);
        ServerMethod.Statistics.OnMessageReceived();
        return message!;
    }

    internal GrpcMessageReader Reader(bool unary) =>
        _reader ??= new GrpcMessageReader(
            Features.GetRequiredFeature<IRequestBodyPipeFeature>().Reader,
            _options.MaxReceiveMessageSize,
            RequestEncoding,
            unary);

    /// <summary>
    /// A client stream may stay quiet for hours (a watch): lift the server's minimum request
    /// data rate and body size, which are meant for plain HTTP uploads.
    /// </summary>
    internal void AllowIdleRequestBody()
    {
        if (Features.Get<IHttpMinRequestBodyDataRateFeature>() is { } rate)
        {
            rate.MinDataRate = null;
        }
    }

    private GrpcMetadata ReadRequestHeaders()
    {
        var metadata = new GrpcMetadata();
        foreach (var header in _request.Headers)
        {
            if (GrpcProtocol.IsReservedHeader(header.Key))
            {
                continue;
            }
            foreach (var value in header.Value)
            {
                if (value is not null)
                {
                    // A -bin value that is not base64 is dropped, as grpc-go drops it.
                    metadata.TryAddFromWire(header.Key, value);
                }
            }
        }
        return metadata.Freeze();
    }

    private string FormatPeer()
    {
        var connection = Features.Get<IHttpConnectionFeature>();
        if (connection?.RemoteIpAddress is { } address)
        {
            var host = address.IsIPv4MappedToIPv6 ? address.MapToIPv4().ToString() : address.ToString();
            if (host.Contains(':'))
            {
                host = "[" + host + "]";
            }
            return host + ":" + connection.RemotePort.ToString(CultureInfo.InvariantCulture);
        }
        return connection?.LocalIpAddress is null ? "unix" : "unknown";
    }
}
