using System.Collections.Immutable;
using Cairn.Server.Configuration.Flags;
using Cairn.Server.Configuration.Syntax;
using Cairn.Server.Logging;

namespace Cairn.Server.Configuration.Building;

/// <summary>
/// etcd 3.4's <c>setupLogging</c>: --logger, --log-level, --log-outputs (and the deprecated --log-output),
/// --debug and --log-package-levels into <see cref="LoggerOptions"/>, with etcd's checks, error texts and the
/// "[WARNING] Deprecated ..." lines it prints straight to stderr.
/// </summary>
public static class LoggingOptionsResolver
{
    private const string DefaultOutput = "default";

    /// <summary>Resolves the logging flags.</summary>
    /// <param name="values">All flag values.</param>
    /// <param name="notices">Receives log lines to write once the logger exists, and the lines etcd writes straight to stderr.</param>
    /// <exception cref="ConfigurationException">etcd would refuse these logging settings.</exception>
    public static LoggerOptions Resolve(FlagValues values, ImmutableArray<StartupNotice>.Builder notices)
    {
        var logger = values.String("logger");
        var level = values.String("log-level");
        var debug = values.Bool("debug");
        var packageLevels = values.String("log-package-levels");
        var outputs = ResolveOutputs(values.Strings("log-output"), values.Strings("log-outputs"), notices);

        if (debug)
        {
            notices.Add(StartupNotice.Raw($"[WARNING] Deprecated '--debug' flag is set to true (use '--log-level=debug' instead"));
            if (level != "debug")
            {
                notices.Add(StartupNotice.Raw($"[WARNING] Deprecated '--debug' flag is set to true with inconsistent '--log-level={level}' flag"));
            }
        }

        if (logger == "capnslog")
        {
            notices.Add(StartupNotice.Raw("[WARNING] Deprecated '--logger=capnslog' flag is set; use '--logger=zap' flag instead"));
        }

        if (packageLevels.Length != 0)
        {
            notices.Add(StartupNotice.Raw($"[WARNING] Deprecated '--log-package-levels={packageLevels}' flag is set; use '--logger=zap' flag instead"));
        }

        // etcd panics on an unknown level; cairn refuses it with a message instead.
        var minimum = LogLevelNames.ParseLogLevelFlag(level)
            ?? throw new ConfigurationException($"unknown level {GoQuote.Quote(level)} for --log-level (only supports \"debug\", \"info\", \"warn\", \"error\", \"dpanic\", \"panic\", \"fatal\")");

        return logger switch
        {
            "capnslog" => Capnslog(outputs, debug ? LogLevel.Debug : minimum, debug, packageLevels, notices),
            "zap" => Zap(outputs, minimum),
            _ => throw new ConfigurationException($"unknown logger option {GoQuote.Quote(logger)}"),
        };
    }

    /// <summary>etcd 3.4's reconciliation of --log-output (deprecated) with --log-outputs.</summary>
    private static ImmutableArray<string> ResolveOutputs(ImmutableArray<string> deprecated, ImmutableArray<string> outputs, ImmutableArray<StartupNotice>.Builder notices)
    {
        if (deprecated.Length != outputs.Length)
        {
            if (deprecated.Length > outputs.Length)
            {
                notices.Add(StartupNotice.Raw("'--log-output' flag has been deprecated! Please use '--log-outputs'!"));
                return deprecated;
            }

            return outputs;
        }

        if (deprecated.Length > 1)
        {
            throw new ConfigurationException("both '--log-output' and '--log-outputs' are set; only set '--log-outputs'");
        }

        if (deprecated.Length < 1)
        {
            throw new ConfigurationException("either '--log-output' or '--log-outputs' flag must be set");
        }

        if (deprecated.SequenceEqual(outputs) && deprecated[0] != DefaultOutput)
        {
            throw new ConfigurationException($"'--log-output={GoQuote.QuoteList(deprecated)}' and '--log-outputs={GoQuote.QuoteList(outputs)}' are incompatible; only set --log-outputs");
        }

        if (!(deprecated.Length == 1 && deprecated[0] == DefaultOutput))
        {
            notices.Add(StartupNotice.Raw($"[WARNING] Deprecated '--log-output' flag is set to {GoQuote.QuoteList(deprecated)}"));
            notices.Add(StartupNotice.Raw("Please use '--log-outputs' flag"));
        }

        return outputs;
    }

    private static LoggerOptions Capnslog(ImmutableArray<string> outputs, LogLevel minimum, bool debug, string packageLevels, ImmutableArray<StartupNotice>.Builder notices)
    {
        if (outputs.Length != 1)
        {
            throw new ConfigurationException($"--logger=capnslog supports only 1 value in '--log-outputs', got {GoQuote.QuoteList(outputs)}");
        }

        var target = outputs[0] switch
        {
            "stderr" or DefaultOutput => LogTarget.Stderr,
            "stdout" => LogTarget.Stdout,
            var other => throw new ConfigurationException($"unknown log-output {GoQuote.Quote(other)} (only supports \"default\", \"stderr\", \"stdout\")"),
        };

        return new LoggerOptions(LogFormatKind.Capnslog, minimum, [target], ShowCaller: debug, ParsePackageLevels(packageLevels, notices));
    }

    private static LoggerOptions Zap(ImmutableArray<string> outputs, LogLevel minimum)
    {
        if (outputs.IsEmpty)
        {
            outputs = [DefaultOutput];
        }

        if (outputs.Length > 1 && outputs.Contains(DefaultOutput))
        {
            throw new ConfigurationException($"multi logoutput for {GoQuote.Quote(DefaultOutput)} is not supported yet");
        }

        var targets = new List<LogTarget>();
        foreach (var output in outputs.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            targets.Add(output switch
            {
                DefaultOutput or "stderr" => LogTarget.Stderr,
                "stdout" => LogTarget.Stdout,
                "systemd/journal" => new LogTarget(LogTargetKind.Journal),
                "/dev/null" => new LogTarget(LogTargetKind.Discard),
                _ => new LogTarget(LogTargetKind.File, output),
            });
        }

        if (targets.Any(t => t.Kind == LogTargetKind.Journal) && targets.Count > 1)
        {
            throw new ConfigurationException($"running with systemd/journal but other '--log-outputs' values ({GoQuote.QuoteList(outputs)}) are configured with 'default'; override 'default' value with something else");
        }

        return new LoggerOptions(LogFormatKind.Zap, minimum, [.. targets.Distinct()]);
    }

    /// <summary>capnslog's ParseLogLevelConfig: "pkg=LEVEL,pkg2=LEVEL"; etcd warns and keeps defaults when it does not parse.</summary>
    private static ImmutableDictionary<string, LogLevel>? ParsePackageLevels(string text, ImmutableArray<StartupNotice>.Builder notices)
    {
        if (text.Length == 0)
        {
            return null;
        }

        var levels = ImmutableDictionary.CreateBuilder<string, LogLevel>(StringComparer.Ordinal);
        foreach (var pair in text.Split(','))
        {
            var parts = pair.Split('=');
            var level = parts.Length == 2 ? LogLevelNames.ParseCapnslogLevel(parts[1]) : null;
            if (level is null)
            {
                var reason = parts.Length != 2 ? $"line {GoQuote.Quote(pair)} doesn't match pattern" : $"unable to parse log level {GoQuote.Quote(parts[1])}";
                notices.Add(new StartupNotice(LogLevel.Warn, "embed", "couldn't parse log level string, continuing with default levels",
                    [LogField.Error(reason)], $"couldn't parse log level string: {reason}, continuing with default levels"));
                return null;
            }

            levels[parts[0]] = level.Value;
        }

        return levels.ToImmutable();
    }
}
