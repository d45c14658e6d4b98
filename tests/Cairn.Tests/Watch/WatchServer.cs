using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Cairn.Tests.Watch;

/// <summary>
/// A one-member etcd 3.4.23 or cairn started as a process on free loopback ports with a fresh
/// data dir, ready once it logs "ready to serve client requests"; killed and removed at dispose.
/// </summary>
internal sealed class WatchServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly DirectoryInfo _scratch;
    private readonly System.Text.StringBuilder _log = new();

    private WatchServer(string name, Process process, DirectoryInfo scratch, int clientPort)
    {
        Name = name;
        _process = process;
        _scratch = scratch;
        Endpoint = $"127.0.0.1:{clientPort}";
    }

    public string Name { get; }

    /// <summary>host:port of the client URL, as etcdctl's --endpoints takes it.</summary>
    public string Endpoint { get; }

    public string Url => "http://" + Endpoint;

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

    public static Task<WatchServer> Etcd(params string[] flags) => StartAsync("etcd", "etcd", flags);

    public static Task<WatchServer> Cairn(params string[] flags) => StartAsync("cairn", Path.Combine(AppContext.BaseDirectory, "cairn"), flags);

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

    private static async Task<WatchServer> StartAsync(string name, string program, string[] flags)
    {
        var scratch = Directory.CreateTempSubdirectory($"cairn-watch-{name}-");
        int client = FreePort();
        int peer = FreePort();
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = scratch.FullName,
        };
        string[] args =
        [
            "--name", "default", "--data-dir", Path.Combine(scratch.FullName, "data"),
            "--listen-client-urls", $"http://127.0.0.1:{client}", "--advertise-client-urls", $"http://127.0.0.1:{client}",
            "--listen-peer-urls", $"http://127.0.0.1:{peer}", "--initial-advertise-peer-urls", $"http://127.0.0.1:{peer}",
            "--initial-cluster", $"default=http://127.0.0.1:{peer}", .. flags,
        ];
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("ETCD", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(key);
        }
        var process = Process.Start(start)!;
        var server = new WatchServer(name, process, scratch, client);
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                ready.TrySetException(new InvalidOperationException($"{name} exited before it was ready:\n{server.Log}"));
                return;
            }
            lock (server._log)
            {
                server._log.AppendLine(e.Data);
            }
            if (e.Data.Contains("ready to serve client requests", StringComparison.Ordinal))
            {
                ready.TrySetResult();
            }
        };
        process.OutputDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        try
        {
            await ready.Task.WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
        return server;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        _scratch.Delete(recursive: true);
    }
}
