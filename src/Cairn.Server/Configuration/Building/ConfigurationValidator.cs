using System.Collections.Immutable;
using Cairn.Server.Configuration.Model;
using Cairn.Server.Configuration.Syntax;
using Cairn.Server.Logging;

namespace Cairn.Server.Configuration.Building;

/// <summary>The settings etcd's <c>embed.Config.Validate</c> looks at, after etcd's defaulting.</summary>
internal sealed record ValidationInput(
    ImmutableArray<EtcdUrl> ListenPeer,
    ImmutableArray<EtcdUrl> ListenClient,
    ImmutableArray<EtcdUrl> ListenMetrics,
    ImmutableArray<EtcdUrl> AdvertisePeer,
    ImmutableArray<EtcdUrl> AdvertiseClient,
    string Discovery,
    string InitialCluster,
    string DiscoverySrv,
    string ClusterState,
    ulong HeartbeatMs,
    ulong ElectionMs,
    string AutoCompactionMode,
    bool LeaseCheckpoint,
    bool LeaseCheckpointPersist);

/// <summary>
/// etcd 3.4's <c>embed.Config.Validate</c>, in its order and with its messages: bind URLs must be IP addresses
/// (or localhost), advertise URLs need a host, one bootstrap method, a known cluster state, heartbeat and
/// election timeouts in range, advertise client URLs whenever client URLs are set, a known compaction mode.
/// </summary>
internal static class ConfigurationValidator
{
    public const string MissingAdvertiseClientUrls = "--advertise-client-urls is required when --listen-client-urls is set explicitly";

    public static void Validate(ValidationInput input, ImmutableArray<StartupNotice>.Builder notices)
    {
        CheckBindUrls(input.ListenPeer);
        CheckBindUrls(input.ListenClient);
        CheckBindUrls(input.ListenMetrics);
        CheckHostUrls(input.AdvertisePeer, "--initial-advertise-peer-urls");
        CheckHostUrls(input.AdvertiseClient, "--advertise-client-urls");

        var bootstrapMethods = new[] { input.Discovery, input.InitialCluster, input.DiscoverySrv }.Count(s => s.Length != 0);
        if (input.ClusterState is not ("new" or "existing"))
        {
            Fail($"unexpected clusterState {GoQuote.Quote(input.ClusterState)}");
        }

        if (bootstrapMethods > 1)
        {
            Fail("multiple discovery or bootstrap flags are set. Choose one of \"initial-cluster\", \"discovery\" or \"discovery-srv\"");
        }

        if (input.HeartbeatMs == 0)
        {
            Fail($"--heartbeat-interval must be >0 (set to {input.HeartbeatMs}ms)");
        }

        if (input.ElectionMs == 0)
        {
            Fail($"--election-timeout must be >0 (set to {input.ElectionMs}ms)");
        }

        if (5 * (System.Numerics.BigInteger)input.HeartbeatMs > input.ElectionMs)
        {
            Fail($"--election-timeout[{input.ElectionMs}ms] should be at least as 5 times as --heartbeat-interval[{input.HeartbeatMs}ms]");
        }

        if (input.ElectionMs > EtcdDefaults.MaxElectionMilliseconds)
        {
            Fail($"--election-timeout[{input.ElectionMs}ms] is too long, and should be set less than {EtcdDefaults.MaxElectionMilliseconds}ms");
        }

        if (!input.ListenClient.IsEmpty && input.AdvertiseClient.IsEmpty)
        {
            throw new ConfigurationException(MissingAdvertiseClientUrls) { IsMissingAdvertiseClientUrls = true };
        }

        if (input.AutoCompactionMode is not ("" or "periodic" or "revision"))
        {
            Fail($"unknown auto-compaction-mode {GoQuote.Quote(input.AutoCompactionMode)}");
        }

        if (!input.LeaseCheckpointPersist && input.LeaseCheckpoint)
        {
            notices.Add(new StartupNotice(LogLevel.Warn, "embed",
                "Detected that checkpointing is enabled without persistence. Consider enabling experimental-enable-lease-checkpoint-persist", []));
        }

        if (input.LeaseCheckpointPersist && !input.LeaseCheckpoint)
        {
            Fail("setting experimental-enable-lease-checkpoint-persist requires experimental-enable-lease-checkpoint");
        }
    }

    /// <summary>etcd's checkBindURLs: a listener needs an IP address or "localhost", except on unix sockets.</summary>
    private static void CheckBindUrls(ImmutableArray<EtcdUrl> urls)
    {
        foreach (var url in urls)
        {
            if (url.IsUnixSocket || url.Host == "localhost")
            {
                continue;
            }

            if (!GoIp.IsIp(url.Host))
            {
                Fail($"expected IP in URL for binding ({url})");
            }
        }
    }

    private static void CheckHostUrls(ImmutableArray<EtcdUrl> urls, string flag)
    {
        var empty = urls.FirstOrDefault(u => u.Host.Length == 0);
        if (empty is not null)
        {
            Fail($"{flag} {GoQuote.Quote(string.Join(",", urls))} must be \"host:port\" (unexpected empty host ({empty}))");
        }
    }

    private static void Fail(string message) => throw new ConfigurationException(message);
}
