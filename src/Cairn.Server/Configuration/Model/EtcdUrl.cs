using System.Globalization;

namespace Cairn.Server.Configuration.Model;

/// <summary>
/// One URL from etcd's URL flags (listen, advertise, initial-cluster, metrics), already checked the way etcd
/// checks them: scheme http, https, unix or unixs; a "host:port" authority; no path.
/// <see cref="ToString"/> gives Go's <c>url.URL.String()</c> form, which is what etcd prints and compares.
/// </summary>
public sealed class EtcdUrl : IEquatable<EtcdUrl>, IComparable<EtcdUrl>
{
    private readonly string _text;

    internal EtcdUrl(string text, string scheme, string hostPort, string host, string port)
    {
        _text = text;
        Scheme = scheme;
        HostPort = hostPort;
        Host = host;
        PortText = port;
        Port = int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p <= 65535 ? p : -1;
    }

    /// <summary>Lower-case scheme: http, https, unix or unixs.</summary>
    public string Scheme { get; }

    /// <summary>The authority as written ("127.0.0.1:2379", "[::1]:2379", "localhost:2380").</summary>
    public string HostPort { get; }

    /// <summary>The host without brackets ("::1" for "[::1]:2379"); empty for "http://:2379".</summary>
    public string Host { get; }

    /// <summary>The port as written; may be empty.</summary>
    public string PortText { get; }

    /// <summary>The TCP port, or -1 when the port is empty or not a number from 0 to 65535.</summary>
    public int Port { get; }

    /// <summary>True for https and unixs: the listener or peer needs TLS.</summary>
    public bool IsSecure => Scheme is "https" or "unixs";

    /// <summary>True for unix and unixs: the "host:port" names a unix socket path, not a TCP address.</summary>
    public bool IsUnixSocket => Scheme is "unix" or "unixs";

    public Uri ToUri() => new(_text, UriKind.Absolute);

    public override string ToString() => _text;

    public bool Equals(EtcdUrl? other) => other is not null && string.Equals(_text, other._text, StringComparison.Ordinal);

    public override bool Equals(object? obj) => Equals(obj as EtcdUrl);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(_text);

    public int CompareTo(EtcdUrl? other) => string.CompareOrdinal(_text, other?._text);
}
