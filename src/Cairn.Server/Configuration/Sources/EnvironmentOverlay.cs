using System.Collections.Immutable;
using Cairn.Server.Configuration.Flags;
using Cairn.Server.Configuration.Syntax;
using Cairn.Server.Logging;

namespace Cairn.Server.Configuration.Sources;

/// <summary>
/// etcd's <c>flags.SetFlagsFromEnv("ETCD", ...)</c>: every flag not given on the command line takes a non-empty
/// <c>ETCD_&lt;NAME&gt;</c> variable, flags visited in name order; each use is logged; variables starting with
/// ETCD_ that match no flag are warned about.
/// </summary>
/// <remarks>
/// One deliberate difference: etcd 3.4 exits when a variable shadows a flag given on the command line. Cairn lets
/// the flag win and logs etcd's message as a warning, so a unit file that overrides one setting of an env file
/// still starts.
/// </remarks>
public static class EnvironmentOverlay
{
    public const string Prefix = "ETCD_";

    /// <summary>The values with the environment applied, and the notices etcd would log.</summary>
    /// <param name="values">Values from the command line.</param>
    /// <param name="environment">The process environment, in the order to report it.</param>
    /// <param name="notices">Receives etcd's log lines about the environment.</param>
    /// <exception cref="ConfigurationException">A variable's value does not parse (etcd reports the last such variable).</exception>
    public static FlagValues Apply(FlagValues values, IReadOnlyList<KeyValuePair<string, string>> environment, ImmutableArray<StartupNotice>.Builder notices)
    {
        var lookup = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in environment)
        {
            lookup[key] = value;
        }

        var used = new HashSet<string>(StringComparer.Ordinal);
        var shadowed = new HashSet<string>(StringComparer.Ordinal);
        string? lastError = null;
        foreach (var flag in FlagTable.All.OrderBy(f => f.Name, StringComparer.Ordinal))
        {
            var key = flag.EnvironmentVariable;
            if (values[flag.Name].Origin.Source == ValueSource.CommandLine)
            {
                shadowed.Add(key);
                continue;
            }

            if (!lookup.TryGetValue(key, out var raw) || raw.Length == 0)
            {
                continue;
            }

            used.Add(key);
            var result = flag.Type.Set(values[flag.Name].Value, raw);
            if (result.Error is not null)
            {
                lastError = $"invalid value {GoQuote.Quote(raw)} for {key}: {result.Error}";
                continue;
            }

            if (flag.Support.Status == SupportStatus.Retired)
            {
                notices.Add(CommandLineParser.RetiredFlagNotice(flag.Name));
            }

            values = values.With(flag.Name, result.Value, new FlagOrigin(ValueSource.Environment, key));
            notices.Add(new StartupNotice(LogLevel.Info, "pkg/flags", "recognized and used environment variable",
                [new LogField("variable-name", key), new LogField("variable-value", raw)],
                $"recognized and used environment variable {key}={raw}"));
        }

        foreach (var (key, raw) in environment)
        {
            if (used.Contains(key))
            {
                continue;
            }

            if (shadowed.Contains(key))
            {
                notices.Add(new StartupNotice(LogLevel.Warn, "pkg/flags",
                    "conflicting environment variable is shadowed by corresponding command-line flag (either unset environment variable or disable flag)",
                    [new LogField("environment-variable", key)],
                    $"conflicting environment variable {GoQuote.Quote(key)} is shadowed by corresponding command-line flag (either unset environment variable or disable flag)"));
                continue;
            }

            if (key.StartsWith(Prefix, StringComparison.Ordinal))
            {
                notices.Add(new StartupNotice(LogLevel.Warn, "pkg/flags", "unrecognized environment variable",
                    [new LogField("environment-variable", key + "=" + raw)],
                    $"unrecognized environment variable {key}={raw}"));
            }
        }

        return lastError is null ? values : throw new ConfigurationException(lastError);
    }
}
