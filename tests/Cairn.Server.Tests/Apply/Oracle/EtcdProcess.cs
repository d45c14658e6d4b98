using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Cairn.Server.Tests.Apply.Oracle;

/// <summary>
/// A real etcd 3.4 (Debian's etcd-server) in a temporary directory on free loopback ports, for
/// comparing answers. Driven with etcdctl (as an operator would) and through its JSON gateway
/// (for requests etcdctl cannot express). Stopped and deleted on Dispose.
/// </summary>
internal sealed class EtcdProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _directory;
    private readonly StringBuilder _log = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };

    private EtcdProcess(Process process, string directory, int clientPort)
    {
        _process = process;
        _directory = directory;
        ClientPort = clientPort;
    }

    public int ClientPort { get; }

    private string Endpoint => $"127.0.0.1:{ClientPort}";

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

    public static async Task<EtcdProcess> StartAsync()
    {
        string directory = Path.Combine(Path.GetTempPath(), $"cairn-oracle-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        int clientPort = FreePort(), peerPort = FreePort();
        string client = $"http://127.0.0.1:{clientPort}", peer = $"http://127.0.0.1:{peerPort}";
        var start = new ProcessStartInfo("etcd")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = directory,
        };
        foreach (var arg in new[]
        {
            "--name", "oracle", "--data-dir", Path.Combine(directory, "data"),
            "--listen-client-urls", client, "--advertise-client-urls", client,
            "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
            "--initial-cluster", $"oracle={peer}", "--initial-cluster-state", "new",
        })
        {
            start.ArgumentList.Add(arg);
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start etcd: is etcd-server installed?");
        var etcd = new EtcdProcess(process, directory, clientPort);
        process.OutputDataReceived += (_, e) => etcd.Append(e.Data);
        process.ErrorDataReceived += (_, e) => etcd.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await etcd.WaitHealthyAsync();
        return etcd;
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

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private async Task WaitHealthyAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"etcd exited with {_process.ExitCode}:\n{Log}");
            }
            try
            {
                var health = await _http.GetStringAsync($"http://{Endpoint}/health");
                if (health.Contains("\"true\"", StringComparison.Ordinal))
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"etcd on {Endpoint} not healthy after 30s:\n{Log}");
    }

    /// <summary>Runs etcdctl -w json against this etcd.</summary>
    public async Task<(int ExitCode, string Stdout, string Stderr)> EtcdctlAsync(IEnumerable<string> args, string? stdin = null)
    {
        var start = new ProcessStartInfo("etcdctl")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["ETCDCTL_API"] = "3";
        start.ArgumentList.Add($"--endpoints={Endpoint}");
        start.ArgumentList.Add("-w");
        start.ArgumentList.Add("json");
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start etcdctl: is etcd-client installed?");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"etcdctl {string.Join(' ', args)} did not finish in 30s");
        }
        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>POSTs a JSON request to the gRPC gateway (e.g. "kv/txn"); returns the JSON answer.</summary>
    public async Task<string> GatewayAsync(string method, string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await _http.PostAsync($"http://{Endpoint}/v3/{method}", content);
        return await response.Content.ReadAsStringAsync();
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a leftover temp dir is harmless.
        }
    }
}
