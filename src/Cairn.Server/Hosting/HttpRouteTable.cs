using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace Cairn.Server.Hosting;

/// <summary>
/// The plain HTTP endpoints of a port (<c>/health</c>, <c>/version</c>, <c>/metrics</c>, the
/// JSON gateway...), answered over HTTP/1.1 and HTTP/2 alike. A route is an exact path or a
/// prefix (ending in '/'), optionally limited to some methods; the longest match wins. Misses
/// get Go's net/http answers, which etcd clients and scripts have seen for years.
/// Register before the server starts.
/// </summary>
public sealed class HttpRouteTable
{
    /// <summary>net/http's bufferBeforeChunkingSize.</summary>
    private const int GoBufferBeforeChunking = 2048;

    private readonly Dictionary<string, Route> _exact = new(StringComparer.Ordinal);
    private readonly List<Route> _prefixes = [];
    private bool _allowEveryOrigin;
    private ILogger? _logger;

    /// <summary>Serves <paramref name="path"/> exactly; with no methods given, any method.</summary>
    public HttpRouteTable Map(string path, RequestDelegate handler, params string[] methods)
    {
        ValidatePath(path);
        ArgumentNullException.ThrowIfNull(handler);
        if (!_exact.TryAdd(path, new Route(path, handler, methods)))
        {
            throw new InvalidOperationException($"route {path} is already registered");
        }
        return this;
    }

    public HttpRouteTable MapGet(string path, RequestDelegate handler) => Map(path, handler, HttpMethods.Get, HttpMethods.Head);

    /// <summary>Serves every path under <paramref name="prefix"/>, which ends in '/'.</summary>
    public HttpRouteTable MapPrefix(string prefix, RequestDelegate handler, params string[] methods)
    {
        ValidatePath(prefix);
        ArgumentNullException.ThrowIfNull(handler);
        if (!prefix.EndsWith('/'))
        {
            throw new ArgumentException($"prefix route {prefix} must end in '/'", nameof(prefix));
        }
        if (_prefixes.Any(p => p.Path == prefix))
        {
            throw new InvalidOperationException($"prefix route {prefix} is already registered");
        }
        _prefixes.Add(new Route(prefix, handler, methods));
        _prefixes.Sort((a, b) => b.Path.Length.CompareTo(a.Path.Length));
        return this;
    }

    /// <summary>
    /// etcd's client port with its default <c>--cors '*'</c>: every answer (misses included) carries the CORS headers,
    /// and an OPTIONS preflight gets an empty 200 whatever the path.
    /// </summary>
    public HttpRouteTable AllowEveryOrigin()
    {
        _allowEveryOrigin = true;
        return this;
    }

    internal void UseLogger(ILogger logger) => _logger = logger;

    internal async Task HandleAsync(IFeatureCollection features)
    {
        var context = new DefaultHttpContext(features);
        var path = context.Request.Path.Value ?? "/";
        var route = Find(path);
        try
        {
            if (_allowEveryOrigin)
            {
                var headers = context.Response.Headers;
                headers.AccessControlAllowMethods = "POST, GET, OPTIONS, PUT, DELETE";
                headers.AccessControlAllowOrigin = "*";
                headers.AccessControlAllowHeaders = "accept, content-type, authorization";
                if (HttpMethods.IsOptions(context.Request.Method))
                {
                    return;
                }
            }
            if (route is null)
            {
                await WriteErrorAsync(context, StatusCodes.Status404NotFound, "404 page not found").ConfigureAwait(false);
                return;
            }
            if (!route.Allows(context.Request.Method))
            {
                context.Response.Headers.Allow = string.Join(", ", route.Methods);
                await WriteErrorAsync(context, StatusCodes.Status405MethodNotAllowed, "Method Not Allowed").ConfigureAwait(false);
                return;
            }
            await route.Handler(context).ConfigureAwait(false);
        }
        catch (Exception e) when (!context.RequestAborted.IsCancellationRequested)
        {
            _logger?.LogError(e, "http: handler of {Path} failed", path);
            if (!context.Response.HasStarted)
            {
                context.Response.Clear();
                await WriteErrorAsync(context, StatusCodes.Status500InternalServerError, "Internal Server Error").ConfigureAwait(false);
            }
        }
        catch (Exception)
        {
            // The client is gone; there is no one to answer.
        }
    }

    /// <summary>Go's http.Error: plain text, nosniff, and a newline after the message.</summary>
    internal static Task WriteErrorAsync(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        context.Response.Headers.XContentTypeOptions = "nosniff";
        return WriteBodyAsync(context.Response, message + "\n", CancellationToken.None);
    }

    /// <summary>
    /// Writes a handler's whole body in one go. Like Go's net/http, a body that fits its 2 KiB buffer goes out with a
    /// Content-Length (Kestrel would chunk it), a bigger one chunked.
    /// </summary>
    public static Task WriteBodyAsync(HttpResponse response, string body, CancellationToken cancellationToken)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        if (bytes.Length <= GoBufferBeforeChunking)
        {
            response.ContentLength = bytes.Length;
        }
        return response.Body.WriteAsync(bytes, cancellationToken).AsTask();
    }

    private Route? Find(string path)
    {
        if (_exact.TryGetValue(path, out var exact))
        {
            return exact;
        }
        foreach (var prefix in _prefixes)
        {
            if (path.StartsWith(prefix.Path, StringComparison.Ordinal))
            {
                return prefix;
            }
        }
        return null;
    }

    private static void ValidatePath(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!path.StartsWith('/'))
        {
            throw new ArgumentException($"route {path} must start with '/'", nameof(path));
        }
    }

    private sealed record Route(string Path, RequestDelegate Handler, string[] Methods)
    {
        public bool Allows(string method) =>
            Methods.Length == 0 || Methods.Any(m => string.Equals(m, method, StringComparison.OrdinalIgnoreCase));
    }
}
