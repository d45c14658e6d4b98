using Cairn.Server.Configuration.Model;
using Cairn.Server.Logging;
using Cairn.Server.Tests.Configuration;

namespace Cairn.Server.Tests.Server;

/// <summary>
/// A one-member server started in-process on a temp data dir (no listeners: the tests talk to
/// <see cref="MemberServer"/> directly), restartable on the same dir.
/// </summary>
internal sealed class TestMember : IAsyncDisposable
{
    private readonly MemoryStream _log = new();
    private readonly ServerLogger _logger;

    private TestMember(string dataDir, string[] extraFlags)
    {
        DataDir = dataDir;
        Configuration = ConfigurationHarness.Valid(
        [
            "--name", "m1", "--data-dir", dataDir,
            "--listen-client-urls", "http://127.0.0.1:0", "--advertise-client-urls", "http://127.0.0.1:2379",
            "--listen-peer-urls", "http://127.0.0.1:0", "--initial-advertise-peer-urls", "http://127.0.0.1:2380",
            "--initial-cluster", "m1=http://127.0.0.1:2380", "--logger", "zap", .. extraFlags,
        ]);
        _logger = ServerLogger.Create(Configuration.Logging with { Targets = [LogTarget.Stderr] }, new StandardStreams(new MemoryStream(), _log));
    }

    public string DataDir { get; }

    public ServerConfiguration Configuration { get; }

    public MemberServer Server { get; private set; } = null!;

    public string Log => System.Text.Encoding.UTF8.GetString(_log.ToArray());

    public static async Task<TestMember> StartAsync(string? dataDir = null, params string[] extraFlags)
    {
        var member = new TestMember(dataDir ?? NewDataDir(), extraFlags);
        member.Server = MemberServer.Start(member.Configuration, member._logger);
        await member.Server.Published.WaitAsync(TimeSpan.FromSeconds(30));
        return member;
    }

    /// <summary>Stops gracefully and starts again on the same data dir.</summary>
    public async Task<TestMember> RestartAsync(params string[] extraFlags)
    {
        await DisposeAsync();
        return await StartAsync(DataDir, extraFlags);
    }

    public static string NewDataDir() =>
        Path.Combine(Path.GetTempPath(), "cairn-member-tests", Guid.NewGuid().ToString("N"), "m1.etcd");

    public async ValueTask DisposeAsync()
    {
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }
        _logger.Dispose();
    }
}
