using System.Text;
using Cairn.Server.Configuration.Model;

namespace Cairn.Server.Configuration.Syntax;

/// <summary>
/// URL parsing as etcd does it: Go's <c>net/url.Parse</c> (the parts etcd's URLs can reach) followed by
/// <c>types.NewURLs</c>' checks, with the same error texts.
/// </summary>
public static class GoUrl
{
    /// <summary>etcd's <c>types.NewURLs</c>: each item trimmed and checked; the result sorted by text.</summary>
    public static string? TryParseList(IEnumerable<string> items, out IReadOnlyList<EtcdUrl> urls)
    {
        var parsed = new List<EtcdUrl>();
        urls = parsed;
        foreach (var raw in items)
        {
            var error = TryParseOne(raw, out var url);
            if (error is not null)
            {
                return error;
            }

            parsed.Add(url!);
        }

        if (parsed.Count == 0)
        {
            return "no valid URLs given";
        }

        parsed.Sort();
        return null;
    }

    /// <summary>One URL of <c>types.NewURLs</c>; returns null or etcd's error text.</summary>
    public static string? TryParseOne(string raw, out EtcdUrl? url)
    {
        url = null;
        var input = raw.Trim(' ', '\t', '\n', '\r', '\v', '\f');
        var parseError = TryParseGoUrl(input, out var parts);
        if (parseError is not null)
        {
            return $"parse {GoQuote.Quote(input)}: {parseError}";
        }

        if (parts.Scheme is not ("http" or "https" or "unix" or "unixs"))
        {
            return "URL scheme must be http, https, unix, or unixs: " + input;
        }

        if (!TrySplitHostPort(parts.Host, out var host, out var port))
        {
            return "URL address does not have the form \"host:port\": " + input;
        }

        if (parts.Path.Length != 0)
        {
            return "URL must not contain a path: " + input;
        }

        url = new EtcdUrl(parts.Text, parts.Scheme, parts.Host, host, port);
        return null;
    }

    /// <summary>Go's <c>net.SplitHostPort</c>, reduced to success or failure.</summary>
    public static bool TrySplitHostPort(string hostPort, out string host, out string port)
    {
        host = string.Empty;
        port = string.Empty;
        var colon = hostPort.LastIndexOf(':');
        if (colon < 0)
        {
            return false;
        }

        if (hostPort.Length > 0 && hostPort[0] == '[')
        {
            var end = hostPort.IndexOf(']');
            if (end < 0 || end + 1 != colon)
            {
                return false;
            }

            host = hostPort[1..end];
        }
        else
        {
            host = hostPort[..colon];
            if (host.Contains(':'))
            {
                return false;
            }
        }

        if (host.Contains('[') || host.Contains(']'))
        {
            return false;
        }

        port = hostPort[(colon + 1)..];
        return !port.Contains('[') && !port.Contains(']');
    }

    private readonly record struct UrlParts(string Scheme, string Host, string Path, string Text);

    /// <summary>The subset of Go's url.Parse that decides what etcd accepts: scheme, authority, path.</summary>
    private static string? TryParseGoUrl(string raw, out UrlParts parts)
    {
        parts = default;
        if (raw.Any(c => c < 0x20 || c == 0x7f))
        {
            return "net/url: invalid control character in URL";
        }

        var fragment = string.Empty;
        var hash = raw.IndexOf('#');
        var rest = raw;
        if (hash >= 0)
        {
            fragment = raw[hash..];
            rest = raw[..hash];
        }

        var schemeError = SplitScheme(rest, out var scheme, out rest);
        if (schemeError is not null)
        {
            return schemeError;
        }

        scheme = scheme.ToLowerInvariant();
        var query = string.Empty;
        var question = rest.IndexOf('?');
        if (question >= 0)
        {
            query = rest[question..];
            rest = rest[..question];
        }

        if (!rest.StartsWith('/'))
        {
            if (scheme.Length != 0)
            {
                // An opaque URL such as "localhost:2379" (scheme "localhost"): etcd rejects it by scheme.
                parts = new UrlParts(scheme, string.Empty, string.Empty, scheme + ":" + rest + query + fragment);
                return null;
            }

            var colon = rest.IndexOf(':');
            var slash = rest.IndexOf('/');
            if (colon >= 0 && (slash < 0 || colon < slash))
            {
                return "first path segment in URL cannot contain colon";
            }
        }

        var host = string.Empty;
        if (rest.StartsWith("//", StringComparison.Ordinal))
        {
            var authority = rest[2..];
            var slash = authority.IndexOf('/');
            rest = slash >= 0 ? authority[slash..] : string.Empty;
            authority = slash >= 0 ? authority[..slash] : authority;
            var at = authority.LastIndexOf('@');
            host = at >= 0 ? authority[(at + 1)..] : authority;
            var hostError = CheckHost(host);
            if (hostError is not null)
            {
                return hostError;
            }
        }

        var text = new StringBuilder();
        if (scheme.Length != 0)
        {
            text.Append(scheme).Append(':');
        }

        if (scheme.Length != 0 || host.Length != 0)
        {
            text.Append("//").Append(host);
        }

        text.Append(rest).Append(query).Append(fragment);
        parts = new UrlParts(scheme, host, rest, text.ToString());
        return null;
    }

    private static string? SplitScheme(string raw, out string scheme, out string rest)
    {
        scheme = string.Empty;
        rest = raw;
        for (var i = 0; i < raw.Length; i++)
        {
            var c = raw[i];
            if (char.IsAsciiLetter(c))
            {
                continue;
            }

            if (char.IsAsciiDigit(c) || c is '+' or '-' or '.')
            {
                if (i == 0)
                {
                    return null;
                }

                continue;
            }

            if (c == ':')
            {
                if (i == 0)
                {
                    return "missing protocol scheme";
                }

                scheme = raw[..i];
                rest = raw[(i + 1)..];
                return null;
            }

            return null;
        }

        return null;
    }

    private static string? CheckHost(string host)
    {
        if (host.StartsWith('['))
        {
            var end = host.IndexOf(']');
            if (end < 0)
            {
                return "missing ']' in host";
            }

            var colonPort = host[(end + 1)..];
            return ValidOptionalPort(colonPort) ? null : $"invalid port {GoQuote.Quote(colonPort)} after host";
        }

        var colon = host.LastIndexOf(':');
        if (colon >= 0 && !ValidOptionalPort(host[colon..]))
        {
            return $"invalid port {GoQuote.Quote(host[colon..])} after host";
        }

        return null;
    }

    private static bool ValidOptionalPort(string port) =>
        port.Length == 0 || (port[0] == ':' && port.Skip(1).All(char.IsAsciiDigit));
}
