using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Cairn.Storage.Tests.Bolt;

namespace Cairn.Storage.Tests.Backend;

/// <summary>A real etcd 3.4 (Debian's) on free loopback ports in a data dir of the test's, driven with etcdctl.</summary>
public sealed class EtcdProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Task<string> _log;

    private EtcdProcess(Process process, string clientUrl, string peerUrl, string dataDir)
    {
        _process = process;
        ClientUrl = clientUrl;
        PeerUrl = peerUrl;
        DataDir = dataDir;
        _log = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEndAsync();
    }

    public string ClientUrl { get; }

    public string PeerUrl { get; }

    public string DataDir { get; }

    public const string Name = "n1";

    /// <summary>Starts etcd on <paramref name="dataDir"/> (new or existing) and waits until it answers.</summary>
    public static async Task<EtcdProcess> StartAsync(string dataDir, string? peerUrl = null)
    {
        var clientUrl = $"http://127.0.0.1:{FreePort()}";
        peerUrl ??= $"http://127.0.0.1:{FreePort()}";
        var info = new ProcessStartInfo("etcd")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[]
        {
            "--name", Name, "--data-dir", dataDir,
            "--listen-client-urls", clientUrl, "--advertise-client-urls", clientUrl,
            "--listen-peer-urls", peerUrl, "--initial-advertise-peer-urls", peerUrl,
            "--initial-cluster", $"{Name}={peerUrl}", "--logger", "zap", "--log-outputs", "stderr",
        })
        {
            info.ArgumentList.Add(a);
        }
        var etcd = new EtcdProcess(Process.Start(info)!, clientUrl, peerUrl, dataDir);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            if (etcd._process.HasExited)
            {
                throw new InvalidOperationException($"etcd exited ({etcd._process.ExitCode}): {await etcd._log}");
            }
            var (code, _, _) = await ProcessRunner.RunAsync("etcdctl", ["--endpoints", clientUrl, "--command-timeout", "2s", "endpoint", "health"], null, null, null);
            if (code == 0)
            {
                return etcd;
            }
            if (DateTime.UtcNow > deadline)
            {
                await etcd.DisposeAsync();
                throw new TimeoutException("etcd did not become healthy within 60 s");
            }
            await Task.Delay(100);
        }
    }

    /// <summary>Runs etcdctl against this etcd; returns stdout, throws on failure.</summary>
    public async Task<string> CtlWithInputAsync(string? stdin, params string[] args)
    {
        var (code, output, error) = await ProcessRunner.RunAsync("etcdctl", ["--endpoints", ClientUrl, .. args], null, stdin, null);
        if (code != 0)
        {
            throw new InvalidOperationException($"etcdctl {string.Join(' ', args)} failed ({code}): {error}");
        }
        return output;
    }

    public Task<string> CtlAsync(params string[] args) => CtlWithInputAsync(null, args);

    /// <summary>Stops etcd with SIGTERM (it commits its backend on the way out) and waits for it.</summary>
    public async Task StopAsync()
    {
        if (_process.HasExited)
        {
            return;
        }
        await ProcessRunner.RunAsync("kill", ["-TERM", _process.Id.ToString()], null, null, null);
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        catch (TimeoutException)
        {
            _process.Kill(entireProcessTree: true);
        }
        _process.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
