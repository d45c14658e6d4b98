using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace Cairn.Server.Grpc.Server;

/// <summary>
/// Runs one gRPC request that Kestrel has received: finds the method by path, reads the
/// deadline and encoding, runs the handler and ends the call with a status. Everything a client
/// sends that is wrong ends that call with an error status; nothing escapes to Kestrel.
/// </summary>
public sealed class GrpcDispatcher
{
    // CancellationTokenSource.CancelAfter takes at most this; a longer deadline never fires in practice.
    private static readonly TimeSpan LongestTimer = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    private readonly GrpcMethodTable _table;
    private readonly GrpcServerOptions _options;
    private long _activeCalls;

    public GrpcDispatcher(GrpcServiceRegistry registry, GrpcServerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(registry);
        _table = registry.Freeze();
        _options = options ?? new GrpcServerOptions();
        if (_options.MaxReceiveMessageSize <= 0 || _options.MaxSendMessageSize <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "message size limits must be positive");
        }
    }

    /// <summary>Calls being served right now (a leak shows here as a count that never returns to 0).</summary>
    public long ActiveCalls => Volatile.Read(ref _activeCalls);

    public GrpcServerOptions Options => _options;

    public async Task DispatchAsync(IFeatureCollection features)
    {
        Interlocked.Increment(ref _activeCalls);
        try
        {
            await RunAsync(features).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // Only a bug of this layer gets here; the call is lost but the server carries on.
            _options.Logger.LogError(e, "grpc: dispatch failed");
        }
        finally
        {
            Interlocked.Decrement(ref _activeCalls);
        }
    }

    private async Task RunAsync(IFeatureCollection features)
    {
        var request = features.GetRequiredFeature<IHttpRequestFeature>();
        var httpResponse = features.GetRequiredFeature<IHttpResponseFeature>();
        var body = features.GetRequiredFeature<IHttpResponseBodyFeature>();

        if (!HttpProtocol.IsHttp2(request.Protocol))
        {
            // grpc-go's answer over HTTP/1.x; gRPC needs HTTP/2 trailers.
            httpResponse.StatusCode = StatusCodes.Status400BadRequest;
            httpResponse.Headers.ContentType = "text/plain; charset=utf-8";
            await body.Writer.WriteAsync("gRPC requires HTTP/2\n"u8.ToArray()).ConfigureAwait(false);
            return;
        }

        httpResponse.StatusCode = StatusCodes.Status200OK;
        httpResponse.Headers.ContentType = GrpcProtocol.ContentType;
        var response = new GrpcServerResponse(features, httpResponse, body, _options.MaxSendMessageSize);

        var path = request.RawTarget;
        if (!_table.Methods.TryGetValue(path, out var method))
        {
            var failure = LookupFailure(path);
            response.WriteStatus(failure.Code, failure.Detail);
            return;
        }
        method.Statistics.OnStarted();

        var encoding = request.Headers[GrpcProtocol.EncodingHeader].ToString();
        if (encoding.Length > 0
            && !string.Equals(encoding, GrpcProtocol.IdentityEncoding, StringComparison.OrdinalIgnoreCase)
            && !string.Equals(encoding, GrpcProtocol.GzipEncoding, StringComparison.OrdinalIgnoreCase))
        {
            httpResponse.Headers[GrpcProtocol.AcceptEncodingHeader] = GrpcProtocol.SupportedEncodings;
            End(method, response, GrpcServerErrors.UnsupportedEncoding(encoding));
            return;
        }

        TimeSpan? timeout = null;
        var timeoutHeader = request.Headers[GrpcProtocol.TimeoutHeader];
        if (timeoutHeader.Count > 0)
        {
            if (!GrpcTimeout.TryParse(timeoutHeader.ToString(), out var parsed, out var error))
            {
                End(method, response, GrpcServerErrors.MalformedTimeout(error!));
                return;
            }
            timeout = parsed;
        }

        var aborted = features.Get<IHttpRequestLifetimeFeature>()?.RequestAborted ?? CancellationToken.None;
        CancellationTokenSource? deadlineSource = null;
        var token = aborted;
        DateTime? deadline = null;
        if (timeout is { } t)
        {
            deadline = DateTime.UtcNow + t;
            deadlineSource = CancellationTokenSource.CreateLinkedTokenSource(aborted);
            if (t < LongestTimer)
            {
                deadlineSource.CancelAfter(t);
            }
            token = deadlineSource.Token;
        }

        try
        {
            var context = new GrpcCallContext(method, features, request, response, _options, deadline, token)
            {
                RequestEncoding = encoding.Length > 0 ? encoding : null,
            };
            var (code, detail) = await RunHandlerAsync(method, context, aborted).ConfigureAwait(false);
            method.Statistics.OnHandled(code);
            response.WriteStatus(code, detail);
        }
        finally
        {
            deadlineSource?.Dispose();
        }
    }

    private async ValueTask<(GrpcStatusCode Code, string? Detail)> RunHandlerAsync(
        ServerMethod method, GrpcCallContext context, CancellationToken aborted)
    {
        try
        {
            await method.RunAsync(context).ConfigureAwait(false);
            return (GrpcStatusCode.OK, null);
        }
        catch (GrpcException e) when (e.Code == GrpcStatusCode.Cancelled && DeadlinePassed(context, aborted))
        {
            return (GrpcStatusCode.DeadlineExceeded, GrpcServerErrors.DeadlineExceeded);
        }
        catch (GrpcException e)
        {
            return (e.Code, e.Detail);
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            return DeadlinePassed(context, aborted)
                ? (GrpcStatusCode.DeadlineExceeded, GrpcServerErrors.DeadlineExceeded)
                : (GrpcStatusCode.Cancelled, GrpcServerErrors.Cancelled);
        }
        catch (Exception e)
        {
            if (aborted.IsCancellationRequested)
            {
                // The client left and the handler tripped over the dead stream: not a bug.
                return (GrpcStatusCode.Cancelled, GrpcServerErrors.Cancelled);
            }
            _options.Logger.LogError(e, "grpc: handler of {Method} failed", method.Method.FullName);
            return (GrpcStatusCode.Unknown, e.Message);
        }
    }

    private static bool DeadlinePassed(GrpcCallContext context, CancellationToken aborted) =>
        context.Deadline is not null && context.CancellationToken.IsCancellationRequested && !aborted.IsCancellationRequested;

    private static void End(ServerMethod method, GrpcServerResponse response, GrpcException failure)
    {
        method.Statistics.OnHandled(failure.Code);
        response.WriteStatus(failure.Code, failure.Detail);
    }

    private GrpcException LookupFailure(string path)
    {
        var name = path.StartsWith('/') ? path[1..] : path;
        var slash = name.LastIndexOf('/');
        if (slash < 0)
        {
            return GrpcServerErrors.MalformedMethodName(path);
        }
        var service = name[..slash];
        var methodName = name[(slash + 1)..];
        return _table.Services.Contains(service)
            ? GrpcServerErrors.UnknownMethod(service, methodName)
            : GrpcServerErrors.UnknownService(service);
    }
}
