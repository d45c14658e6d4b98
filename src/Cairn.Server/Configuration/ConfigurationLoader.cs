using System.Collections.Immutable;
using Cairn.Server.Configuration.Building;
using Cairn.Server.Configuration.Flags;
using Cairn.Server.Configuration.Model;
using Cairn.Server.Configuration.Sources;
using Cairn.Server.Logging;

namespace Cairn.Server.Configuration;

/// <summary>What loading the configuration produced. Exactly one of <see cref="Configuration"/> and <see cref="Error"/> is set.</summary>
/// <param name="Values">The resolved flag values (for the support check and for reporting).</param>
/// <param name="Logging">The logging options, or null when the error came before logging could be resolved.</param>
/// <param name="Configuration">The configuration, when valid.</param>
/// <param name="Error">Why the configuration cannot be used.</param>
/// <param name="Notices">Lines to write once a logger exists, in order (some go straight to stderr, as etcd's do).</param>
public sealed record LoadResult(
    FlagValues Values,
    LoggerOptions? Logging,
    ServerConfiguration? Configuration,
    ConfigurationException? Error,
    ImmutableArray<StartupNotice> Notices)
{
    /// <summary>The lines etcd writes straight to stderr ("[WARNING] Deprecated ..."), in order.</summary>
    public IEnumerable<string> StderrLines => Notices.Where(n => n.RawLine is not null).Select(n => n.RawLine!);
}

/// <summary>
/// Reads etcd's configuration the way etcd 3.4 does. Without --config-file (or ETCD_CONFIG_FILE): command-line
/// flags, then <c>ETCD_*</c> variables for flags not given. With a config file: the file alone; flags and
/// variables are still parsed (so a bad flag still stops the start) but otherwise ignored, as etcd 3.4 ignores them.
/// Then logging is resolved, etcd's defaulting and validation run, and the typed configuration is built.
/// </summary>
public sealed class ConfigurationLoader
{
    private readonly IReadOnlyList<KeyValuePair<string, string>> _environment;
    private readonly IDefaultHostResolver _hosts;

    /// <param name="environment">The process environment (tests pass their own).</param>
    /// <param name="hosts">Finds the default route's address for etcd's advertise defaulting.</param>
    public ConfigurationLoader(IReadOnlyList<KeyValuePair<string, string>> environment, IDefaultHostResolver hosts)
    {
        _environment = environment;
        _hosts = hosts;
    }

    /// <summary>The real process environment, sorted by name so reports are stable.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> ProcessEnvironment() =>
        Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .Select(e => new KeyValuePair<string, string>((string)e.Key, (string?)e.Value ?? string.Empty))
            .OrderBy(e => e.Key, StringComparer.Ordinal)
            .ToList();

    /// <summary>Reads, checks and builds the configuration.</summary>
    /// <param name="commandLine">The parsed command line.</param>
    /// <param name="openLogging">
    /// Called as soon as the logging settings are known (where etcd builds its logger, before its other checks);
    /// returns null, or why the logger cannot be opened, which then stops the load as etcd stops.
    /// </param>
    public LoadResult Load(CommandLine commandLine, Func<LoggerOptions, string?>? openLogging = null)
    {
        var notices = ImmutableArray.CreateBuilder<StartupNotice>();
        notices.AddRange(commandLine.Notices);
        var values = commandLine.Values;
        LoggerOptions? logging = null;
        try
        {
            var configFile = commandLine.ConfigFile;
            if (configFile.Length == 0)
            {
                configFile = _environment.LastOrDefault(e => e.Key == "ETCD_CONFIG_FILE").Value ?? string.Empty;
            }

            if (configFile.Length != 0)
            {
                // etcd logs that it loads the file whether or not the file then turns out to be usable.
                notices.Add(new StartupNotice(LogLevel.Info, "etcdmain",
                    "loaded server configuration, other configuration command line flags and environment variables will be ignored if provided",
                    [new LogField("path", configFile)],
                    $"Loading server configuration from {Syntax.GoQuote.Quote(configFile)}. Other configuration command line flags and environment variables will be ignored if provided."));
                WarnAboutIgnoredSettings(commandLine, _environment, notices);
                values = YamlConfigFile.Read(configFile, notices);
            }
            else
            {
                values = EnvironmentOverlay.Apply(values, _environment, notices);
            }

            logging = LoggingOptionsResolver.Resolve(values, notices);
            var loggingError = openLogging?.Invoke(logging);
            if (loggingError is not null)
            {
                throw new ConfigurationException(loggingError);
            }

            var configuration = ConfigurationBuilder.Build(values, configFile.Length != 0 ? configFile : null, logging, _hosts, notices);
            return new LoadResult(values, logging, configuration, null, notices.ToImmutable());
        }
        catch (ConfigurationException e)
        {
            return new LoadResult(values, logging, null, e, notices.ToImmutable());
        }
    }

    /// <summary>etcd ignores flags and ETCD_* variables when a config file is used; cairn names the ones it ignores.</summary>
    private static void WarnAboutIgnoredSettings(CommandLine commandLine, IReadOnlyList<KeyValuePair<string, string>> environment,
        ImmutableArray<StartupNotice>.Builder notices)
    {
        var variables = environment.Select(e => e.Key)
            .Where(k => k.StartsWith(EnvironmentOverlay.Prefix, StringComparison.Ordinal) && k != "ETCD_CONFIG_FILE")
            .ToList();
        if (variables.Count != 0)
        {
            notices.Add(new StartupNotice(LogLevel.Warn, "etcdmain", "ignoring environment variables because a configuration file is used",
                [LogField.Strings("variables", variables)],
                $"ignoring environment variables {string.Join(", ", variables)} because a configuration file is used"));
        }

        var ignored = commandLine.GivenFlags.Where(f => f != "config-file").Select(f => "--" + f).ToList();
        if (ignored.Count != 0)
        {
            notices.Add(new StartupNotice(LogLevel.Warn, "etcdmain", "ignoring command-line flags because a configuration file is used",
                [LogField.Strings("flags", ignored)],
                $"ignoring command-line flags {string.Join(", ", ignored)} because a configuration file is used"));
        }
    }
}
