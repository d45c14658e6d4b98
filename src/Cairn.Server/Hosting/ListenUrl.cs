using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Cairn.Server.Hosting;

/// <summary>
/// One of etcd's listen URLs: <c>http://host:port</c>, <c>https://host:port</c>,
/// <c>unix://name</c> or <c>unixs://name</c>, validated with etcd's rules and error texts. The
/// host of an http(s) URL is an IP address or <c>localhost</c>; a unix URL names a socket file
/// with its host and port part (<c>unix://localhost:2379</c> is the file <c>localhost:2379</c>), as etcd does.
/// </summary>
public sealed record ListenUrl
{
    private ListenUrl(string original, string scheme, string host, int port, string? socketPath)
    {
        Original = original;
        Scheme = scheme;
        Host = host;
        Port = port;
        SocketPath = socketPath;
    }

    /// <summary>The URL as given (trimmed).</summary>
    public string Original { get; }

    /// <summary>http, https, unix or unixs.</summary>
    public string Scheme { get; }

    /// <summary>The host as written, without IPv6 brackets.</summary>
    public string Host { get; }

    /// <summary>The TCP port (0 asks the system for a free one); for unix URLs, the number after the colon.</summary>
    public int Port { get; }

    /// <summary>The socket file of a unix URL; null for TCP.</summary>
    public string? SocketPath { get; }

    /// <summary>https and unixs: TLS, which a later issue brings.</summary>
    public bool IsSecure => Scheme is "https" or "unixs";

    public bool IsUnixSocket => SocketPath is not null;

    /// <summary>Parses and validates a listen URL, throwing <see cref="FormatException"/> with etcd's words.</summary>
    public static ListenUrl Parse(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        var text = url.Trim();
        var schemeEnd = text.IndexOf("://", StringComparison.Ordinal);
        var scheme = schemeEnd > 0 ? text[..schemeEnd].ToLowerInvariant() : "";
        if (scheme is not ("http" or "https" or "unix" or "unixs"))
        {
            throw new FormatException($"URL scheme must be http, https, unix, or unixs: {text}");
        }
        var rest = text[(schemeEnd + 3)..];
        var pathStart = rest.IndexOfAny(['/', '?', '#']);
        var authority = pathStart < 0 ? rest : rest[..pathStart];
        if (pathStart >= 0 && rest[pathStart] == '/' && rest.Length > pathStart + 1)
        {
            throw new FormatException($"URL must not contain a path: {text}");
        }
        if (authority.Contains('@'))
        {
            authority = authority[(authority.LastIndexOf('@') + 1)..];
        }
        if (!TrySplitHostPort(authority, out var host, out var portText))
        {
            throw new FormatException($"URL address does not have the form \"host:port\": {text}");
        }
        if (scheme is "unix" or "unixs")
        {
            _ = int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var unixPort);
            return new ListenUrl(text, scheme, host, unixPort, authority);
        }
        if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
        {
            throw new FormatException($"invalid port in URL for binding ({text})");
        }
        if (host != "localhost" && host.Length > 0 && !IPAddress.TryParse(host, out _))
        {
            throw new FormatException($"expected IP in URL for binding ({text})");
        }
        return new ListenUrl(text, scheme, host, port, null);
    }

    /// <summary>
    /// The TCP addresses to bind, as Go's <c>net.Listen("tcp", host:port)</c> binds them:
    /// a wildcard (empty, 0.0.0.0, ::) becomes one dual-stack [::] socket when the system has
    /// IPv6; a name (localhost) becomes its first IPv4 address.
    /// </summary>
    public async Task<IPEndPoint> ResolveAsync(CancellationToken cancellationToken = default)
    {
        if (IsUnixSocket)
        {
            throw new InvalidOperationException($"{Original} is a unix socket, not a TCP address");
        }
        if (Host.Length == 0 || Host == "0.0.0.0" || Host == "::")
        {
            var any = Socket.OSSupportsIPv6 ? IPAddress.IPv6Any : IPAddress.Any;
            return new IPEndPoint(any, Port);
        }
        if (IPAddress.TryParse(Host, out var literal))
        {
            return new IPEndPoint(literal, Port);
        }
        var addresses = await Dns.GetHostAddressesAsync(Host, cancellationToken).ConfigureAwait(false);
        var chosen = addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses.FirstOrDefault()
            ?? throw new FormatException($"cannot resolve {Host} in {Original}");
        return new IPEndPoint(chosen, Port);
    }

    public override string ToString() => Original;

    private static bool TrySplitHostPort(string authority, out string host, out string port)
    {
        host = "";
        port = "";
        if (authority.StartsWith('['))
        {
            var close = authority.IndexOf(']');
            if (close < 0 || close + 1 >= authority.Length || authority[close + 1] != ':')
            {
                return false;
            }
            host = authority[1..close];
            port = authority[(close + 2)..];
            return true;
        }
        var colon = authority.LastIndexOf(':');
        if (colon < 0 || authority.IndexOf(':') != colon)
        {
            // No port, or an IPv6 address without brackets: Go's SplitHostPort refuses both.
            return false;
        }
        host = authority[..colon];
        port = authority[(colon + 1)..];
        return true;
    }
}
