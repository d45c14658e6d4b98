using System.Text.Json;
using Cairn.Tests.Processes;

namespace Cairn.Tests;

/// <summary>The published executable's behaviour at the process boundary: outputs and exit statuses as etcd's.</summary>
public class ExecutableTests
{
    [Fact]
    public async Task Version_prints_cairns_and_the_etcd_api_version_in_etcds_layout_and_exits_0()
    {
        var outcome = await ProcessRunner.Cairn("--version");
        Assert.Equal(0, outcome.ExitCode);
        var lines = outcome.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches(@"^cairn Version: \d+\.\d+\.\d+", lines[0]);
        Assert.Equal("etcd Version: 3.4.23", lines[1]);
        Assert.StartsWith("Git SHA: ", lines[2]);
        Assert.StartsWith(".NET Version: ", lines[3]);
        Assert.Matches("^OS/Arch: linux/(amd64|arm64)$", lines[4]);
        Assert.Equal("", outcome.Stderr);
    }

    [Fact]
    public async Task Help_prints_usage_on_stderr_and_flags_on_stdout_and_exits_0()
    {
        var outcome = await ProcessRunner.Cairn("--help");
        Assert.Equal(0, outcome.ExitCode);
        Assert.StartsWith("Usage:\n\n  cairn [flags]\n", outcome.Stderr);
        Assert.StartsWith("\nMember:\n  --name 'default'\n", outcome.Stdout);
        Assert.Contains("  --log-package-levels ''\n", outcome.Stdout);
    }

    [Fact]
    public async Task Unknown_flag_prints_go_flags_message_and_usage_and_exits_2()
    {
        var outcome = await ProcessRunner.Cairn("--bad-flag");
        Assert.Equal(2, outcome.ExitCode);
        Assert.StartsWith("flag provided but not defined: -bad-flag\nUsage:\n", outcome.Stderr);
        Assert.Equal("", outcome.Stdout);
    }

    [Fact]
    public async Task Stray_argument_is_refused_with_exit_1()
    {
        var outcome = await ProcessRunner.Cairn("--enable-v2", "false");
        Assert.Equal(1, outcome.ExitCode);
        Assert.EndsWith("E | etcdmain: error verifying flags, 'false' is not a valid flag. See 'cairn --help'.", outcome.StderrLines.Single());
    }

    [Fact]
    public async Task Etcds_sample_config_file_starts_the_server_which_stops_cleanly_on_sigterm()
    {
        // The sample listens on etcd's default ports; a copy on free ports keeps the test apart from anything else running.
        var sample = File.ReadAllText(Path.Combine(RepositoryRoot(), "tests", "Cairn.Server.Tests", "Configuration", "TestData", "etcd.conf.yml.sample"));
        var scratch = Directory.CreateTempSubdirectory("cairn-sample-");
        try
        {
            var (client, peer) = (FreePort(), FreePort());
            var config = Path.Combine(scratch.FullName, "etcd.conf.yml");
            File.WriteAllText(config, sample
                .Replace("localhost:2379", $"127.0.0.1:{client}", StringComparison.Ordinal)
                .Replace("localhost:2380", $"127.0.0.1:{peer}", StringComparison.Ordinal)
                .Replace("initial-cluster:\n", $"initial-cluster: default=http://127.0.0.1:{peer}\n", StringComparison.Ordinal)
                .Replace("data-dir:\n", $"data-dir: {Path.Combine(scratch.FullName, "data")}\n", StringComparison.Ordinal));

            var outcome = await ProcessRunner.CairnUntil("serving client traffic insecurely", ["--config-file", config]);

            var messages = outcome.StderrLines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("msg").GetString()!).ToList();
            Assert.DoesNotContain(messages, m => m == "failed to verify flags");
            Assert.Contains(messages, m => m.StartsWith("--enable-v2 (from config file key enable-v2) is accepted, but cairn does not serve the etcd v2 API", StringComparison.Ordinal));
            Assert.Contains(messages, m => m.StartsWith("--enable-pprof (from config file key enable-pprof) is accepted, but cairn does not serve /debug/pprof/", StringComparison.Ordinal));
            Assert.True(messages.Contains("serving client traffic insecurely; this is strongly discouraged!"), outcome.Stderr);
            Assert.True(File.Exists(Path.Combine(scratch.FullName, "data", "member", "snap", "db")), "the backend is in the configured data dir");
            AssertStoppedBySigterm(outcome);
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Sigint_stops_a_server_started_with_sigint_ignored_as_etcd_stops()
    {
        // A shell starts background jobs with SIGINT ignored (`cairn ... &` in a script); etcd
        // (Go) takes the signal back and stops on it, so cairn must too. `trap '' INT` ignores
        // it and exec keeps it ignored in cairn.
        var (client, peer) = (FreePort(), FreePort());
        string[] args =
        [
            "-c", "trap '' INT; exec \"$0\" \"$@\"", ProcessRunner.CairnPath,
            "--listen-client-urls", $"http://127.0.0.1:{client}", "--advertise-client-urls", $"http://127.0.0.1:{client}",
            "--listen-peer-urls", $"http://127.0.0.1:{peer}", "--initial-advertise-peer-urls", $"http://127.0.0.1:{peer}",
            "--initial-cluster", $"default=http://127.0.0.1:{peer}",
        ];
        var outcome = await ProcessRunner.Run("/bin/sh", args, [], terminateOnStderr: "ready to serve client requests", stopSignal: PosixSignals.Interrupt);

        Assert.True(outcome.ExitCode == 128 + PosixSignals.Interrupt, $"exit code {outcome.ExitCode}\n{outcome.Stderr}");
        Assert.Contains("osutil: received interrupt signal, shutting down...", outcome.Stderr);
        // capnslog has no "closed etcd server" line (etcd prints it through zap only); this one starts the graceful stop.
        Assert.Contains("etcdserver: skipped leadership transfer for single voting member cluster", outcome.Stderr);
    }

    [Fact]
    public async Task Tls_settings_refuse_the_start_naming_each_flag()
    {
        var outcome = await ProcessRunner.Cairn(["--data-dir", "d"], ("ETCD_CERT_FILE", "/etc/etcd/ssl/etcd.pem"), ("ETCD_AUTO_TLS", "true"));
        Assert.Equal(1, outcome.ExitCode);
        Assert.Contains("etcdmain: --cert-file (from ETCD_CERT_FILE) is not supported yet: client TLS", outcome.Stderr);
        Assert.Contains("etcdmain: --auto-tls (from ETCD_AUTO_TLS) is not supported yet: client TLS", outcome.Stderr);
        Assert.DoesNotContain("not assembled", outcome.Stderr);
    }

    [Fact]
    public async Task Zap_logger_writes_json_lines_only()
    {
        var (client, peer) = (FreePort(), FreePort());
        var outcome = await ProcessRunner.CairnUntil("serving client traffic insecurely",
            ["--logger", "zap", "--data-dir", "d", "--listen-client-urls", $"http://127.0.0.1:{client}", "--advertise-client-urls", $"http://127.0.0.1:{client}",
             "--listen-peer-urls", $"http://127.0.0.1:{peer}", "--initial-advertise-peer-urls", $"http://127.0.0.1:{peer}", "--initial-cluster", $"n1=http://127.0.0.1:{peer}"],
            ("ETCD_NAME", "n1"));
        AssertStoppedBySigterm(outcome);
        var lines = outcome.StderrLines;
        Assert.NotEmpty(lines);
        foreach (var line in lines)
        {
            var json = JsonDocument.Parse(line).RootElement;
            Assert.Equal(["level", "ts", "caller", "msg"], json.EnumerateObject().Take(4).Select(p => p.Name));
        }

        Assert.Contains(lines, l => l.Contains("\"msg\":\"recognized and used environment variable\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Gateway_and_grpc_proxy_subcommands_are_refused_as_not_supported_yet()
    {
        var outcome = await ProcessRunner.Cairn("grpc-proxy", "start");
        Assert.Equal(1, outcome.ExitCode);
        Assert.Equal("cairn: 'grpc-proxy' is not supported yet (etcd's gRPC proxy)\n", outcome.Stderr);
    }

    [Fact]
    public async Task Publish_gives_an_executable_named_cairn()
    {
        var output = Directory.CreateTempSubdirectory("cairn-publish-");
        try
        {
            var publish = await ProcessRunner.Run("dotnet", ["publish", Path.Combine(RepositoryRoot(), "src", "Cairn"), "-c", "Release", "-o", output.FullName, "--nologo"], [],
                timeout: TimeSpan.FromMinutes(5));
            Assert.True(publish.ExitCode == 0, publish.Stdout + publish.Stderr);
            var version = await ProcessRunner.Run(Path.Combine(output.FullName, "cairn"), ["--version"], []);
            Assert.Equal(0, version.ExitCode);
            Assert.Contains("etcd Version: 3.4.23", version.Stdout);
        }
        finally
        {
            output.Delete(recursive: true);
        }
    }

    /// <summary>Like etcd, a server stopped by SIGTERM closes cleanly, then dies by that signal (128 + 15).</summary>
    private static void AssertStoppedBySigterm(ProcessOutcome outcome)
    {
        Assert.True(outcome.ExitCode == 143, $"exit code {outcome.ExitCode}\n{outcome.Stderr}");
        Assert.Contains("closed etcd server", outcome.Stderr);
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    internal static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Cairn.slnx")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("repository root (Cairn.slnx) not found above " + AppContext.BaseDirectory);
    }
}
