using Cairn.Server.Configuration.Model;
using Cairn.Server.Logging;
using Cairn.Server.Tests.Configuration;

namespace Cairn.Server.Tests.Server;

/// <summary>
/// A one-member server started in-process on a temp data dir (no listeners: the tests talk to
/// <see cref="MemberServer"/> directly), restartable on the same dir. A dir it made is deleted
/// when it is disposed (each holds a preallocated 64 MB WAL segment: left behind, a few hundred
/// test runs filled the disk).
/// </summary>
internal sealed class TestMember : IAsyncDisposable
{
    private readonly MemoryStream _log = new();
    private readonly ServerLogger _logger;

    private string? _ownedRoot;

    private TestMember(string dataDir, string? ownedRoot, string[] extraFlags)
    {
        DataDir = dataDir;
        _ownedRoot = ownedRoot;
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

    /// <summary>Starts a member on <paramref name="dataDir"/> (left in place), or on a new temp dir it deletes when disposed.</summary>
    public static Task<TestMember> StartAsync(string? dataDir = null, params string[] extraFlags)
    {
        if (dataDir is not null)
        {
            return StartAsync(dataDir, null, extraFlags);
        }
        var root = Path.Combine(Path.GetTempPath(), "cairn-member-tests", Guid.NewGuid().ToString("N"));
        return StartAsync(Path.Combine(root, "m1.etcd"), root, extraFlags);
    }

    private static async Task<TestMember> StartAsync(string dataDir, string? ownedRoot, string[] extraFlags)
    {
        var member = new TestMember(dataDir, ownedRoot, extraFlags);
        try
        {
            member.Server = MemberServer.Start(member.Configuration, member._logger);
            await member.Server.Published.WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch
        {
            await member.DisposeAsync();
            throw;
        }
        return member;
    }

    /// <summary>Stops gracefully and starts again on the same data dir (which the new member then owns, if this one did).</summary>
    public async Task<TestMember> RestartAsync(params string[] extraFlags)
    {
        await StopAsync();
        var root = _ownedRoot;
        _ownedRoot = null; // the new member deletes it; disposing this one again must not
        return await StartAsync(DataDir, root, extraFlags);
    }

    private async Task StopAsync()
    {
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }
        _logger.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        if (_ownedRoot is not null && Directory.Exists(_ownedRoot))
        {
            Directory.Delete(_ownedRoot, recursive: true);
        }
    }
}
