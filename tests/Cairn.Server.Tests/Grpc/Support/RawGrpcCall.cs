using System.Net;
using System.Net.Http.Headers;

namespace Cairn.Server.Tests.Grpc.Support;

/// <summary>
/// A gRPC call whose body the test writes byte by byte, over .NET's HTTP/2 client: for
/// malformed messages that Cairn's own client would never send. Returns the status wherever
/// the server put it (trailers-only headers or trailers).
/// </summary>
internal static class RawGrpcCall
{
    public sealed record Outcome(HttpStatusCode HttpStatus, string? GrpcStatus, string? GrpcMessage, HttpResponseHeaders Headers, byte[] Body);

    public static async Task<Outcome> SendAsync(string baseUrl, string path, byte[] body, params (string Name, string Value)[] headers)
    {
        using var handler = new SocketsHttpHandler { UseProxy = false };
        using var invoker = new HttpMessageInvoker(handler);
        using var request = new HttpRequestMessage(HttpMethod.Post, baseUrl + path)
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.TryAddWithoutValidation("content-type", "application/grpc");
        request.Headers.TryAddWithoutValidation("te", "trailers");
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        using var response = await invoker.SendAsync(request, limit.Token);
        var bytes = await response.Content.ReadAsByteArrayAsync(limit.Token);
        string? Find(string name) =>
            response.Headers.NonValidated.TryGetValues(name, out var v) ? v.ToString()
            : response.TrailingHeaders.NonValidated.TryGetValues(name, out var t) ? t.ToString() : null;
        return new Outcome(response.StatusCode, Find("grpc-status"), Find("grpc-message"), response.Headers, bytes);
    }
}
