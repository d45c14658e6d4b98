using System.Collections.Immutable;

namespace Cairn.Server.Configuration.Model;

/// <summary>The URLs this member listens on and advertises, each list sorted as etcd sorts it.</summary>
/// <param name="ListenPeer">--listen-peer-urls.</param>
/// <param name="ListenClient">--listen-client-urls.</param>
/// <param name="AdvertisePeer">--initial-advertise-peer-urls (after etcd's default-host substitution).</param>
/// <param name="AdvertiseClient">--advertise-client-urls (after etcd's default-host substitution).</param>
/// <param name="ListenMetrics">--listen-metrics-urls (empty: metrics are served on the client URLs only).</param>
public sealed record MemberUrls(
    ImmutableArray<EtcdUrl> ListenPeer,
    ImmutableArray<EtcdUrl> ListenClient,
    ImmutableArray<EtcdUrl> AdvertisePeer,
    ImmutableArray<EtcdUrl> AdvertiseClient,
    ImmutableArray<EtcdUrl> ListenMetrics);
