using System.Net;
using System.Net.Sockets;
using Cairn.Server.Configuration.Model;
using Cairn.Server.Configuration.Syntax;

namespace Cairn.Server.Configuration.Building;

/// <summary>
/// etcd's bootstrap checks (<c>ServerConfig.VerifyBootstrap</c> / <c>VerifyJoinExisting</c>), which etcd runs only
/// when a member starts on an empty data dir, so the server calls them then, with etcd's messages: this member's
/// name must be in --initial-cluster with exactly its --initial-advertise-peer-urls (host names resolved when the
/// texts differ), no URL twice, and some way to find the cluster.
/// </summary>
public static class BootstrapCheck
{
    /// <summary>Resolves a host name to addresses (DNS by default; tests pass their own).</summary>
    public delegate Task<IPAddress[]> HostResolver(string host, CancellationToken cancellationToken);

    private static readonly HostResolver Dns = (host, ct) => System.Net.Dns.GetHostAddressesAsync(host, ct);

    /// <summary>For a new member of a new cluster (--initial-cluster-state=new): null when fine, else etcd's error.</summary>
    public static async Task<string?> VerifyBootstrapAsync(ServerConfiguration config, HostResolver? resolve = null, CancellationToken cancellationToken = default)
    {
        var error = HasLocalMember(config);
        if (error is not null)
        {
            return error;
        }

        error = await AdvertiseMatchesClusterAsync(config, resolve ?? Dns, cancellationToken).ConfigureAwait(false);
        if (error is not null)
        {
            return error;
        }

        if (HasDuplicateUrl(config))
        {
            return $"initial cluster {ClusterText(config)} has duplicate url";
        }

        return config.Cluster.InitialCluster.IsEmpty && config.Cluster.Discovery.Length == 0
            ? "initial cluster unset and no discovery URL found"
            : null;
    }

    /// <summary>For a new member joining a running cluster (--initial-cluster-state=existing).</summary>
    public static string? VerifyJoinExisting(ServerConfiguration config)
    {
        var error = HasLocalMember(config);
        if (error is not null)
        {
            return error;
        }

        if (HasDuplicateUrl(config))
        {
            return $"initial cluster {ClusterText(config)} has duplicate url";
        }

        return config.Cluster.Discovery.Length != 0 ? "discovery URL should not be set when joining existing initial cluster" : null;
    }

    private static string? HasLocalMember(ServerConfiguration config) =>
        config.Cluster.PeerUrlsOf(config.Name) is null
            ? $"couldn't find local name {GoQuote.Quote(config.Name)} in the initial cluster configuration"
            : null;

    private static async Task<string?> AdvertiseMatchesClusterAsync(ServerConfiguration config, HostResolver resolve, CancellationToken cancellationToken)
    {
        var cluster = config.Cluster.PeerUrlsOf(config.Name)!.Value.Select(u => u.ToString()).Order(StringComparer.Ordinal).ToList();
        var advertised = config.Urls.AdvertisePeer.Select(u => u.ToString()).Order(StringComparer.Ordinal).ToList();
        var (equal, reason) = await UrlsEqualAsync(advertised, cluster, resolve, cancellationToken).ConfigureAwait(false);
        if (equal)
        {
            return null;
        }

        var missingFromAdvertised = cluster.Except(advertised).Select(u => config.Name + "=" + u).ToList();
        if (missingFromAdvertised.Count != 0)
        {
            return $"--initial-cluster has {string.Join(",", missingFromAdvertised)} but missing from --initial-advertise-peer-urls={string.Join(",", advertised)} ({reason})";
        }

        var own = string.Join(",", advertised.Select(u => config.Name + "=" + u));
        var missingFromCluster = advertised.Except(cluster).ToList();
        return missingFromCluster.Count != 0
            ? $"--initial-advertise-peer-urls has {string.Join(",", missingFromCluster)} but missing from --initial-cluster={own}"
            : $"failed to resolve {string.Join(",", advertised)} to match --initial-cluster={own} ({reason})";
    }

    /// <summary>etcd's netutil.URLStringsEqual: equal texts, or equal once host names are resolved to addresses.</summary>
    private static async Task<(bool Equal, string? Reason)> UrlsEqualAsync(List<string> a, List<string> b, HostResolver resolve, CancellationToken cancellationToken)
    {
        if (a.Count != b.Count)
        {
            return (false, $"len({GoQuote.QuoteList(a)}) != len({GoQuote.QuoteList(b)})");
        }

        if (a.SequenceEqual(b))
        {
            return (true, null);
        }

        var resolvedA = new List<string>();
        var resolvedB = new List<string>();
        foreach (var (source, target) in new[] { (a, resolvedA), (b, resolvedB) })
        {
            foreach (var text in source)
            {
                GoUrl.TryParseOne(text, out var url);
                var resolved = await ResolveAsync(url!, resolve, cancellationToken).ConfigureAwait(false);
                if (resolved is null)
                {
                    return (false, $"failed to resolve {GoQuote.Quote(text)}");
                }

                target.Add(resolved);
            }
        }

        resolvedA.Sort(StringComparer.Ordinal);
        resolvedB.Sort(StringComparer.Ordinal);
        for (var i = 0; i < resolvedA.Count; i++)
        {
            if (resolvedA[i] != resolvedB[i])
            {
                return (false, $"resolved urls: {GoQuote.Quote(resolvedA[i])} != {GoQuote.Quote(resolvedB[i])}");
            }
        }

        return (true, null);
    }

    private static async Task<string?> ResolveAsync(EtcdUrl url, HostResolver resolve, CancellationToken cancellationToken)
    {
        if (url.IsUnixSocket || GoIp.IsIp(url.Host))
        {
            return url.ToString();
        }

        try
        {
            var addresses = await resolve(url.Host, cancellationToken).ConfigureAwait(false);
            var address = addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses.FirstOrDefault();
            if (address is null)
            {
                return null;
            }

            var host = address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();
            return $"{url.Scheme}://{host}:{url.PortText}";
        }
        catch (SocketException)
        {
            return null;
        }
    }

    private static bool HasDuplicateUrl(ServerConfiguration config)
    {
        var all = config.Cluster.InitialCluster.SelectMany(m => m.PeerUrls).Select(u => u.ToString()).ToList();
        return all.Count != all.Distinct(StringComparer.Ordinal).Count();
    }

    /// <summary>etcd's URLsMap.String(): "name=url" pairs, sorted.</summary>
    private static string ClusterText(ServerConfiguration config) =>
        string.Join(",", config.Cluster.InitialCluster.SelectMany(m => m.PeerUrls.Select(u => m.Name + "=" + u)).Order(StringComparer.Ordinal));
}
