using Cairn.Tests.Processes;

namespace Cairn.Tests.Watch;

/// <summary>A one-member etcd 3.4.23 or cairn on a fresh <see cref="TestMember"/>, ready to serve; stopped and removed at dispose.</summary>
internal sealed class WatchServer : IAsyncDisposable
{
    private readonly TestMember _member;
    private readonly ServerProcess _server;

    private WatchServer(TestMember member, ServerProcess server)
    {
        _member = member;
        _server = server;
    }

    public string Name => _server.Kind.DisplayName();

    /// <summary>host:port of the client URL, as etcdctl's --endpoints takes it.</summary>
    public string Endpoint => _member.Endpoint;

    public string Url => _member.ClientUrl;

    public string Log => _server.Log.ToString();

    public static Task<WatchServer> Etcd(params string[] flags) => StartAsync(ServerKind.Etcd, flags);

    public static Task<WatchServer> Cairn(params string[] flags) => StartAsync(ServerKind.Cairn, flags);

    /// <summary>Both servers with the same flags, etcd first.</summary>
    public static async Task<(WatchServer Etcd, WatchServer Cairn)> BothAsync(params string[] flags)
    {
        var etcd = await Etcd(flags);
        try
        {
            return (etcd, await Cairn(flags));
        }
        catch
        {
            await etcd.DisposeAsync();
            throw;
        }
    }

    private static async Task<WatchServer> StartAsync(ServerKind kind, string[] flags)
    {
        var member = TestMember.Create("default");
        try
        {
            return new WatchServer(member, await ServerProcess.StartAsync(kind, member, flags: flags));
        }
        catch
        {
            member.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        _member.Dispose();
    }
}
