using System.Text;
using Cairn.Server.Configuration;
using Cairn.Server.Configuration.Building;
using Cairn.Server.Configuration.Model;
using Cairn.Server.Configuration.Sources;
using Cairn.Server.Lifecycle;
using Cairn.Server.Logging;

namespace Cairn;

/// <summary>Runs the server until the token is cancelled; returns the exit status (see <see cref="ServerEntryPoint.RunAsync"/>).</summary>
internal delegate Task<int> ServerRun(ServerConfiguration configuration, ServerLogger logger, SystemdNotifier systemd, CancellationToken stopping);

/// <summary>
/// What <c>etcd</c> does from its arguments to a running server, with etcd's outputs and exit statuses: help (0),
/// version (0), malformed flags (usage, 2), unusable configuration (1), then logging, signals, systemd and the server.
/// </summary>
internal sealed class Launcher
{
    private readonly StandardStreams _streams;
    private readonly IReadOnlyList<KeyValuePair<string, string>> _environment;
    private readonly IDefaultHostResolver _hosts;
    private readonly ServerRun _server;
    private readonly SystemdNotifier _systemd;
    private readonly ShutdownSignals _signals;

    public Launcher(StandardStreams streams, IReadOnlyList<KeyValuePair<string, string>> environment, IDefaultHostResolver hosts,
        ServerRun server, SystemdNotifier systemd, ShutdownSignals signals)
    {
        _streams = streams;
        _environment = environment;
        _hosts = hosts;
        _server = server;
        _systemd = systemd;
        _signals = signals;
    }

    public async Task<int> RunAsync(string[] args)
    {
        if (args.Length > 0 && args[0] is "gateway" or "grpc-proxy")
        {
            WriteStderr($"cairn: '{args[0]}' is not supported yet (etcd's {(args[0] == "gateway" ? "TCP gateway" : "gRPC proxy")})\n");
            return 1;
        }

        CommandLine commandLine;
        try
        {
            commandLine = CommandLineParser.Parse(args);
        }
        catch (FlagSyntaxException e)
        {
            WriteStderr(e.Message + "\n" + HelpText.Usage + "\n");
            return 2;
        }

        if (commandLine.HelpRequested)
        {
            WriteStderr(HelpText.Usage + "\n");
            Write(_streams.Stdout, HelpText.Flags());
            return 0;
        }

        if (!commandLine.Positional.IsEmpty)
        {
            using var early = ServerLogger.Create(LoggerOptions.Default, _streams);
            ReportError(early, new ConfigurationException($"'{commandLine.Positional[0]}' is not a valid flag"));
            return 1;
        }

        if (commandLine.VersionRequested)
        {
            Write(_streams.Stdout, CairnVersion.VersionText());
            return 0;
        }

        // The logger is opened as soon as its settings are known, as etcd does; a log file that cannot be opened
        // is then reported like any other bad setting (through the default logger).
        ServerLogger? opened = null;
        var result = new ConfigurationLoader(_environment, _hosts).Load(commandLine, options =>
        {
            opened = ServerLogger.TryCreate(options, _streams, out var openError);
            return openError;
        });
        var error = result.Error;
        var logger = opened ?? ServerLogger.Create(LoggerOptions.Default, _streams);
        using (logger)
        {
            foreach (var notice in result.Notices)
            {
                notice.WriteTo(logger, _streams.Stderr);
            }

            if (error is not null || result.Configuration is null)
            {
                ReportError(logger, error ?? new ConfigurationException("configuration could not be loaded"));
                return 1;
            }

            if (!CanStart(logger, SupportCheck.Check(result.Values)))
            {
                return 1;
            }

            if (logger.Format == LogFormatKind.Capnslog)
            {
                LogVersions(logger.ForPackage("etcdmain"));
            }

            _signals.AttachLogger(logger);
            return await _server(result.Configuration, logger, _systemd, _signals.Stopping);
        }
    }

    /// <summary>Warns about accepted-but-unserved settings; names and reports every refused one.</summary>
    private bool CanStart(ServerLogger logger, SupportReport support)
    {
        var etcdmain = logger.ForPackage("etcdmain");
        foreach (var warning in support.Warnings)
        {
            etcdmain.Warn(warning.WarningMessage, [new LogField("flag", "--" + warning.Flag.Name)]);
        }

        if (support.CanStart)
        {
            return true;
        }

        foreach (var refusal in support.Refusals)
        {
            etcdmain.Error("refusing to start: a setting is not supported yet",
                [new LogField("flag", "--" + refusal.Flag.Name), new LogField("feature", refusal.Feature)], capnslog: refusal.RefusalMessage);
        }

        ReportError(logger, new ConfigurationException(support.Summary));
        return false;
    }

    /// <summary>etcd's "error verifying flags" report: zap warns with the error; capnslog prints an E line with a hint.</summary>
    private void ReportError(ServerLogger logger, ConfigurationException error)
    {
        if (error.PrintBare)
        {
            WriteStderr(error.Message + "\n");
            return;
        }

        var etcdmain = logger.ForPackage("etcdmain");
        if (logger.Format == LogFormatKind.Zap)
        {
            etcdmain.Warn("failed to verify flags", [LogField.Error(error.Message)]);
            if (error.IsMissingAdvertiseClientUrls)
            {
                etcdmain.Warn("advertise client URLs are not set", [LogField.Error(error.Message)]);
            }

            return;
        }

        etcdmain.Error("failed to verify flags", [LogField.Error(error.Message)], capnslog: $"error verifying flags, {error.Message}. See 'cairn --help'.");
        if (error.IsMissingAdvertiseClientUrls)
        {
            etcdmain.Error("advertise client URLs are not set", [],
                capnslog: "When listening on specific address(es), this etcd process must advertise accessible url(s) to each connected client.");
        }
    }

    /// <summary>The version lines etcd prints at start with capnslog (zap puts them in the server's first line).</summary>
    private static void LogVersions(ServerLogger etcdmain)
    {
        etcdmain.Info("cairn version", [new LogField("cairn-version", CairnVersion.Cairn)], capnslog: $"cairn Version: {CairnVersion.Cairn}");
        etcdmain.Info("etcd version", [new LogField("etcd-version", CairnVersion.EtcdVersion)], capnslog: $"etcd Version: {CairnVersion.EtcdVersion}");
        etcdmain.Info("git sha", [new LogField("git-sha", CairnVersion.GitSha)], capnslog: $"Git SHA: {CairnVersion.GitSha}");
        etcdmain.Info(".NET version", [new LogField("dotnet-version", Environment.Version.ToString())], capnslog: $".NET Version: {Environment.Version}");
        etcdmain.Info("os/arch", [new LogField("os-arch", CairnVersion.OsArch)], capnslog: $"OS/Arch: {CairnVersion.OsArch}");
        etcdmain.Info("available CPUs", [LogField.Int("max-cpu-available", Environment.ProcessorCount)],
            capnslog: $"setting maximum number of CPUs to {Environment.ProcessorCount}, total number of available CPUs is {Environment.ProcessorCount}");
    }

    private void WriteStderr(string text) => Write(_streams.Stderr, text);

    private static void Write(Stream stream, string text)
    {
        stream.Write(Encoding.UTF8.GetBytes(text));
        stream.Flush();
    }
}
