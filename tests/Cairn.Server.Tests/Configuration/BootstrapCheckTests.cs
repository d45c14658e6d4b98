using System.Net;
using Cairn.Server.Configuration.Building;
using static Cairn.Server.Tests.Configuration.ConfigurationHarness;

namespace Cairn.Server.Tests.Configuration;

public class BootstrapCheckTests
{
    private static readonly BootstrapCheck.HostResolver Hosts = (host, _) => Task.FromResult(host switch
    {
        "node1.local" => new[] { IPAddress.Parse("10.0.0.1") },
        "node2.local" => [IPAddress.Parse("10.0.0.2")],
        _ => [],
    });

    private static Task<string?> Verify(params string[] args) => BootstrapCheck.VerifyBootstrapAsync(Valid(args), Hosts);

    [Fact]
    public async Task Defaults_bootstrap() => Assert.Null(await Verify());

    [Fact]
    public async Task Member_missing_from_the_initial_cluster_is_etcds_error() =>
        Assert.Equal("couldn't find local name \"n\" in the initial cluster configuration",
            await Verify("--name", "n", "--initial-cluster", "m=http://localhost:2380"));

    [Fact]
    public async Task Initial_cluster_url_missing_from_advertise_urls_is_etcds_error() =>
        Assert.Equal("--initial-cluster has default=http://10.0.0.9:2380 but missing from --initial-advertise-peer-urls=http://10.0.0.1:2380 (resolved urls: \"http://10.0.0.1:2380\" != \"http://10.0.0.9:2380\")",
            await Verify("--initial-advertise-peer-urls", "http://10.0.0.1:2380", "--initial-cluster", "default=http://10.0.0.9:2380"));

    [Fact]
    public async Task Advertise_url_missing_from_the_initial_cluster_is_etcds_error() =>
        Assert.Equal("--initial-advertise-peer-urls has http://10.0.0.2:2380 but missing from --initial-cluster=default=http://10.0.0.1:2380,default=http://10.0.0.2:2380",
            await Verify("--initial-advertise-peer-urls", "http://10.0.0.1:2380,http://10.0.0.2:2380", "--initial-cluster", "default=http://10.0.0.1:2380"));

    [Fact]
    public async Task Host_names_that_resolve_to_the_advertised_addresses_match() =>
        Assert.Null(await Verify("--initial-advertise-peer-urls", "http://10.0.0.1:2380", "--initial-cluster", "default=http://node1.local:2380"));

    [Fact]
    public async Task Duplicate_urls_are_etcds_error() =>
        Assert.Equal("initial cluster a=http://10.0.0.1:2380,default=http://10.0.0.1:2380 has duplicate url",
            await Verify("--initial-advertise-peer-urls", "http://10.0.0.1:2380", "--initial-cluster", "default=http://10.0.0.1:2380,a=http://10.0.0.1:2380"));

    [Fact]
    public void Joining_needs_this_member_in_the_initial_cluster()
    {
        Assert.Null(BootstrapCheck.VerifyJoinExisting(Valid(["--initial-cluster-state", "existing"])));
        Assert.Equal("couldn't find local name \"n\" in the initial cluster configuration",
            BootstrapCheck.VerifyJoinExisting(Valid(["--name", "n", "--initial-cluster", "m=http://localhost:2380", "--initial-cluster-state", "existing"])));
    }
}
