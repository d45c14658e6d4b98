using System.Diagnostics;
using Cairn.Tests.Processes;

namespace Cairn.Tests.Lease;

/// <summary>
/// One single-member server — the built cairn or etcd 3.4.23, the oracle — on a <see cref="TestMember"/>, driven
/// with etcdctl; it can be stopped with SIGTERM or killed with SIGKILL and started again on the same data dir.
/// </summary>
internal sealed class MemberProcess : IAsyncDisposable
{
    private readonly ServerKind _kind;
    private readonly TestMember _member;
    private readonly string[] _extraArgs;
    private ServerProcess? _server;

    private MemberProcess(ServerKind kind, string[] extraArgs)
    {
        _kind = kind;
        _member = TestMember.Create("m1");
        _extraArgs = extraArgs;
    }

    /// <summary>"etcd" or "cairn".</summary>
    public string Name => _kind.DisplayName();

    public string Endpoint => _member.Endpoint;

    public string Log => _server?.Log.ToString() ?? "";

    /// <summary>Starts etcd ("etcd") or cairn ("cairn") and waits until it is ready.</summary>
    public static async Task<MemberProcess> StartAsync(string name, params string[] extraArgs)
    {
        var kind = name switch
        {
            "etcd" => ServerKind.Etcd,
            "cairn" => ServerKind.Cairn,
            _ => throw new ArgumentException($"unknown server {name}", nameof(name)),
        };
        var member = new MemberProcess(kind, extraArgs);
        try
        {
            await member.StartAgainAsync();
        }
        catch
        {
            await member.DisposeAsync();
            throw;
        }
        return member;
    }

    /// <summary>Starts the server (again) on its data dir and waits until it is ready.</summary>
    public async Task StartAgainAsync()
    {
        if (_server is { HasExited: false })
        {
            throw new InvalidOperationException($"{Name} is already running");
        }
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
        _server = await ServerProcess.StartAsync(_kind, _member, flags: _extraArgs);
    }

    /// <summary>SIGTERM, then waits for the exit (a graceful stop: everything applied is committed).</summary>
    public Task StopAsync() => Running.StopAsync();

    /// <summary>SIGKILL: a crash; whatever the backend had not committed is lost and replayed from the WAL.</summary>
    public Task KillAsync() => Running.KillAsync();

    /// <summary>Runs etcdctl against this member; output as printed, exit code.</summary>
    public Task<CommandResult> EtcdctlAsync(params string[] args) =>
        _member.Etcdctl.RunAsync(["--dial-timeout=5s", "--command-timeout=10s", .. args], timeout: TimeSpan.FromSeconds(30));

    /// <summary>Starts etcdctl against this member without waiting for it (a keep-alive that runs until killed).</summary>
    public Process StartEtcdctl(params string[] args)
    {
        var start = new ProcessStartInfo("etcdctl")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        ChildProcesses.ClearEtcdEnvironment(start);
        start.Environment["ETCDCTL_API"] = "3";
        foreach (var arg in new[] { $"--endpoints={Endpoint}", "--dial-timeout=5s", "--command-timeout=10s" }.Concat(args))
        {
            start.ArgumentList.Add(arg);
        }
        return ChildProcesses.Start(start);
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
        _member.Dispose();
    }

    private ServerProcess Running => _server ?? throw new InvalidOperationException($"{Name} is not running");
}
