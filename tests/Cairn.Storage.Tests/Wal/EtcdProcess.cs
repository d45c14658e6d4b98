using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Cairn.Storage.Tests.Wal;

/// <summary>
/// A real etcd 3.4 (the <c>etcd</c> on PATH) on free loopback ports over a given data dir,
/// stopped gracefully with SIGTERM, or killed when disposed while still running.
/// </summary>
public sealed class EtcdProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _logPath;

    private EtcdProcess(Process process, string clientUrl, string peerUrl, string logPath)
    {
        _process = process;
        ClientUrl = clientUrl;
        PeerUrl = peerUrl;
        _logPath = logPath;
    }

    public string ClientUrl { get; }

    public string PeerUrl { get; }

    public string Log => File.Exists(_logPath) ? File.ReadAllText(_logPath) : "";

    public static async Task<EtcdProcess> StartAsync(string dataDir, string name, int snapshotCount, string logPath, string? peerUrl = null)
    {
        string clientUrl = $"http://127.0.0.1:{FreePort()}";
        peerUrl ??= $"http://127.0.0.1:{FreePort()}";
        var info = new ProcessStartInfo("bash")
        {
            UseShellExecute = false,
            RedirectStandardInput = false,
        };
        // bash only redirects etcd's output to the log file; exec keeps etcd's pid.
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("exec \"$0\" \"$@\" >>\"$ETCD_TEST_LOG\" 2>&1");
        foreach (string arg in new[]
        {
            "etcd", "--name", name, "--data-dir", dataDir,
            "--snapshot-count", snapshotCount.ToString(CultureInfo.InvariantCulture),
            "--listen-client-urls", clientUrl, "--advertise-client-urls", clientUrl,
            "--listen-peer-urls", peerUrl, "--initial-advertise-peer-urls", peerUrl,
            "--initial-cluster", $"{name}={peerUrl}",
        })
        {
            info.ArgumentList.Add(arg);
        }
        info.Environment["ETCD_TEST_LOG"] = logPath;
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start etcd");
        var etcd = new EtcdProcess(process, clientUrl, peerUrl, logPath);
        await etcd.WaitHealthyAsync();
        return etcd;
    }

    /// <summary>Runs etcdctl against this etcd and returns its output; fails on a non-zero exit.</summary>
    public async Task<string> CtlAsync(params string[] args)
    {
        var result = await ExternalProcess.RunAsync("etcdctl", ["--endpoints", ClientUrl, .. args],
            environment: new Dictionary<string, string> { ["ETCDCTL_API"] = "3" }, timeout: TimeSpan.FromSeconds(30));
        return result.EnsureSuccess($"etcdctl {string.Join(' ', args)}").Stdout;
    }

    /// <summary>SIGTERM, then waits for etcd to exit (it syncs and closes its WAL).</summary>
    public async Task StopAsync()
    {
        if (_process.HasExited)
        {
            return;
        }
        await ExternalProcess.RunAsync("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(cts.Token);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }

    private async Task WaitHealthyAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"etcd exited with {_process.ExitCode}:\n{Log}");
            }
            try
            {
                string body = await http.GetStringAsync(ClientUrl + "/health");
                if (body.Contains("\"true\"", StringComparison.Ordinal))
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"etcd at {ClientUrl} did not become healthy:\n{Log}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
