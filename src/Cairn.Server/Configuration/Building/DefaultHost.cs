using System.Globalization;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace Cairn.Server.Configuration.Building;

/// <summary>
/// etcd's <c>netutil.GetDefaultHost</c>: the address of the interface that carries the default route. etcd uses
/// it to advertise a reachable address when a member listens on 0.0.0.0 and keeps the default advertise URLs.
/// </summary>
public interface IDefaultHostResolver
{
    /// <summary>The host (an IP address), or null and the reason when there is none.</summary>
    string? Resolve(out string? error);
}

/// <summary>Linux: the default route from /proc/net/route, then the first IPv4 address of its interface.</summary>
public sealed class RoutingTableDefaultHost : IDefaultHostResolver
{
    private readonly string _routeTablePath;

    public RoutingTableDefaultHost(string routeTablePath = "/proc/net/route") => _routeTablePath = routeTablePath;

    public string? Resolve(out string? error)
    {
        error = null;
        string[] lines;
        try
        {
            lines = File.ReadAllLines(_routeTablePath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error = "could not find default route";
            return null;
        }

        // Columns: Iface Destination Gateway Flags RefCnt Use Metric Mask ...; a default route has destination and mask 0.
        var iface = lines.Skip(1)
            .Select(l => l.Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries))
            .Where(c => c.Length >= 8 && c[1] == "00000000" && c[7] == "00000000")
            .OrderBy(c => int.TryParse(c[6], NumberStyles.Integer, CultureInfo.InvariantCulture, out var metric) ? metric : int.MaxValue)
            .Select(c => c[0])
            .FirstOrDefault();
        if (iface is null)
        {
            error = "could not find default route";
            return null;
        }

        var address = NetworkInterface.GetAllNetworkInterfaces()
            .FirstOrDefault(n => n.Name == iface)?
            .GetIPProperties().UnicastAddresses
            .Select(a => a.Address)
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork);
        if (address is null)
        {
            error = "could not find default host";
            return null;
        }

        return address.ToString();
    }
}

/// <summary>A fixed answer, for tests and for machines where detection is unwanted.</summary>
public sealed class FixedDefaultHost : IDefaultHostResolver
{
    private readonly string? _host;
    private readonly string _error;

    public FixedDefaultHost(string? host, string error = "could not find default route")
    {
        _host = host;
        _error = error;
    }

    public string? Resolve(out string? error)
    {
        error = _host is null ? _error : null;
        return _host;
    }
}
