using System.Net;
using System.Net.Sockets;
using Cairn.Server.Hosting;

namespace Cairn.Server.Tests.Hosting;

public sealed class ListenUrlTests
{
    [Theory]
    [InlineData("ftp://127.0.0.1:2379", "URL scheme must be http, https, unix, or unixs: ftp://127.0.0.1:2379")]
    [InlineData("http://127.0.0.1", "URL address does not have the form \"host:port\": http://127.0.0.1")]
    [InlineData("http://127.0.0.1:2379/v3", "URL must not contain a path: http://127.0.0.1:2379/v3")]
    [InlineData("http://example.com:2379", "expected IP in URL for binding (http://example.com:2379)")]
    public void Invalid_urls_are_refused_with_etcds_words(string url, string message)
    {
        var error = Assert.Throws<FormatException>(() => ListenUrl.Parse(url));

        Assert.Equal(message, error.Message);
    }

    [Fact]
    public async Task Localhost_binds_its_first_ipv4_address_as_go_does()
    {
        var endpoint = await ListenUrl.Parse("http://localhost:2379").ResolveAsync();

        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 2379), endpoint);
    }

    [Theory]
    [InlineData("http://0.0.0.0:2379")]
    [InlineData("http://[::]:2379")]
    [InlineData("http://:2379")]
    public async Task Wildcards_bind_one_dual_stack_socket_as_go_does(string url)
    {
        var endpoint = await ListenUrl.Parse(url).ResolveAsync();

        Assert.Equal(Socket.OSSupportsIPv6 ? IPAddress.IPv6Any : IPAddress.Any, endpoint.Address);
        Assert.Equal(2379, endpoint.Port);
    }

    [Fact]
    public void Unix_url_names_its_socket_file_with_host_and_port_as_etcd_does()
    {
        var url = ListenUrl.Parse("unix://localhost:12345");

        Assert.True(url.IsUnixSocket);
        Assert.Equal("localhost:12345", url.SocketPath);
        Assert.False(url.IsSecure);
        Assert.True(ListenUrl.Parse("unixs://localhost:1").IsSecure);
    }

    [Fact]
    public void Ipv6_literal_keeps_its_address()
    {
        var url = ListenUrl.Parse("https://[::1]:2379");

        Assert.Equal("::1", url.Host);
        Assert.True(url.IsSecure);
    }
}
