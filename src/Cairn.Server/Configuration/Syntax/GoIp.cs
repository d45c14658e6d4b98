using System.Net;
using System.Net.Sockets;

namespace Cairn.Server.Configuration.Syntax;

/// <summary>Go's <c>net.ParseIP</c> as a test: dotted-quad IPv4 or IPv6 text (no zone), nothing looser.</summary>
public static class GoIp
{
    public static bool IsIp(string host)
    {
        if (host.Contains(':'))
        {
            return !host.Contains('%') && IPAddress.TryParse(host, out var v6) && v6.AddressFamily == AddressFamily.InterNetworkV6;
        }

        var parts = host.Split('.');
        return parts.Length == 4 && parts.All(p => p.Length is > 0 and <= 3 && p.All(char.IsAsciiDigit) && (p.Length == 1 || p[0] != '0') && int.Parse(p, System.Globalization.CultureInfo.InvariantCulture) <= 255);
    }
}
