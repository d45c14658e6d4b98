using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Cairn.Tests.Processes;

namespace Cairn.Tests.Lease;

/// <summary>
/// One single-member server process — the built cairn or etcd 3.4.23, the oracle — on free
/// loopback ports and its own data dir, driven with etcdctl. It can be stopped with SIGTERM or
/// killed with SIGKILL and started again on the same data dir.
/// </summary>
internal sealed class MemberProcess : IAsyncDisposable
{
    private readonly string _program;
    private readonly string[] _extraArgs;
    private readonly StringBuilder _log = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };
    private Process? _process;

    private MemberProcess(string name, string program, string directory, string[] extraArgs)
    {
        Name = name;
        _program = program;
        Directory = directory;
        _extraArgs = extraArgs;
        ClientPort = FreePort();
        PeerPort = FreePort();
    }

    /// <summary>"etcd" or "cairn".</summary>
    public string Name { get; }

    public string Directory { get; }

    public int ClientPort { get; }

    public int PeerPort { get; }

    public string Endpoint => $"127.0.0.1:{ClientPort}";

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    public static string CairnPath => Path.Combine(AppContext.BaseDirectory, "cairn");

    /// <summary>Starts etcd ("etcd") or cairn ("cairn") and waits until /health says true.</summary>
    public static async Task<MemberProcess> StartAsync(string name, params string[] extraArgs)
    {
        string program = name switch
        {
            "etcd" => "etcd",
            "cairn" => CairnPath,
            _ => throw new ArgumentException($"unknown server {name}", nameof(name)),
        };
        var directory = System.IO.Directory.CreateTempSubdirectory($"cairn-lease-{name}-").FullName;
        var member = new MemberProcess(name, program, directory, extraArgs);
        await member.StartAgainAsync();
        return member;
    }

    /// <summary>Starts the process (again) on its data dir and waits until it is healthy.</summary>
    public async Task StartAgainAsync()
    {
        if (_process is { HasExited: false })
        {
            throw new InvalidOperationException($"{Name} is already running");
        }
        _process?.Dispose();
        string client = $"http://127.0.0.1:{ClientPort}", peer = $"http://127.0.0.1:{PeerPort}";
        var start = new ProcessStartInfo(_program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Directory,
        };
        foreach (var arg in new[]
        {
            "--name", "m1", "--data-dir", Path.Combine(Directory, "data"),
            "--listen-client-urls", client, "--advertise-client-urls", client,
            "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
            "--initial-cluster", $"m1={peer}",
        }.Concat(_extraArgs))
        {
            start.ArgumentList.Add(arg);
        }
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("ETCD", StringComparison.Ordinal) || k == "NOTIFY_SOCKET").ToList())
        {
            start.Environment.Remove(key);
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {_program}");
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        await WaitHealthyAsync();
    }

    /// <summary>SIGTERM, then waits for the exit (a graceful stop: everything applied is committed).</summary>
    public Task StopAsync() => SignalAsync(PosixSignals.Terminate);

    /// <summary>SIGKILL: a crash; whatever the backend had not committed is lost and replayed from the WAL.</summary>
    public Task KillAsync() => SignalAsync(PosixSignals.Kill9);

    /// <summary>Runs etcdctl against this member; output as printed, exit code.</summary>
    public async Task<EtcdctlOutcome> EtcdctlAsync(params string[] args)
    {
        using var process = StartEtcdctl(args);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"etcdctl {string.Join(' ', args)} against {Name} did not finish in 30s");
        }
        return new EtcdctlOutcome(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Starts etcdctl against this member without waiting for it (a keep-alive that runs until killed).</summary>
    public Process StartEtcdctl(params string[] args)
    {
        var start = new ProcessStartInfo("etcdctl")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["ETCDCTL_API"] = "3";
        foreach (var proxy in new[] { "http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY" })
        {
            start.Environment.Remove(proxy);
        }
        foreach (var arg in new[] { $"--endpoints={Endpoint}", "--dial-timeout=5s", "--command-timeout=10s" }.Concat(args))
        {
            start.ArgumentList.Add(arg);
        }
        return Process.Start(start) ?? throw new InvalidOperationException("cannot start etcdctl");
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process?.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a leftover temp dir is harmless.
        }
    }

    private async Task SignalAsync(int signal)
    {
        var process = _process ?? throw new InvalidOperationException($"{Name} is not running");
        PosixSignals.Send(process.Id, signal);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_log)
            {
                _log.AppendLine(line);
            }
        }
    }

    private async Task WaitHealthyAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (_process!.HasExited)
            {
                throw new InvalidOperationException($"{Name} exited with {_process.ExitCode}:\n{Log}");
            }
            try
            {
                var health = await _http.GetStringAsync($"http://{Endpoint}/health");
                if (health.Contains("\"true\"", StringComparison.Ordinal))
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"{Name} on {Endpoint} not healthy after 60s:\n{Log}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>What one etcdctl run printed.</summary>
internal sealed record EtcdctlOutcome(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}--- stderr\n{Stderr}";
}
