using System.Collections.Immutable;

namespace Cairn.Server.Configuration.Model;

/// <summary>--initial-cluster-state.</summary>
public enum InitialClusterState
{
    New,
    Existing,
}

/// <summary>--discovery-fallback.</summary>
public enum DiscoveryFallback
{
    Proxy,
    Exit,
}

/// <summary>One member of --initial-cluster with its peer URLs (sorted).</summary>
public sealed record InitialClusterMember(string Name, ImmutableArray<EtcdUrl> PeerUrls);

/// <summary>How a new member finds its cluster.</summary>
/// <param name="InitialCluster">--initial-cluster, parsed, members sorted by name; empty when discovery is used.</param>
/// <param name="InitialClusterText">--initial-cluster as given (after etcd's defaulting), for logs.</param>
/// <param name="Token">--initial-cluster-token.</param>
/// <param name="State">--initial-cluster-state.</param>
/// <param name="Discovery">--discovery URL, or empty.</param>
/// <param name="DiscoveryProxy">--discovery-proxy, or empty.</param>
/// <param name="DiscoverySrv">--discovery-srv domain, or empty.</param>
/// <param name="DiscoverySrvName">--discovery-srv-name suffix, or empty.</param>
/// <param name="DiscoveryFallback">--discovery-fallback.</param>
/// <param name="ForceNewCluster">--force-new-cluster.</param>
public sealed record ClusterBootstrap(
    ImmutableArray<InitialClusterMember> InitialCluster,
    string InitialClusterText,
    string Token,
    InitialClusterState State,
    string Discovery,
    string DiscoveryProxy,
    string DiscoverySrv,
    string DiscoverySrvName,
    DiscoveryFallback DiscoveryFallback,
    bool ForceNewCluster)
{
    /// <summary>The peer URLs --initial-cluster gives for a member name, or null when it lists no such member.</summary>
    public ImmutableArray<EtcdUrl>? PeerUrlsOf(string name)
    {
        var member = InitialCluster.FirstOrDefault(m => m.Name == name);
        return member?.PeerUrls;
    }
}
