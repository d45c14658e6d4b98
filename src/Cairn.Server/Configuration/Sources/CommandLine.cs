using System.Collections.Immutable;
using Cairn.Server.Configuration.Flags;

namespace Cairn.Server.Configuration.Sources;

/// <summary>What the command line says: flag values over etcd's defaults, and what stopped the parse.</summary>
/// <param name="Values">Defaults with the flags given on the command line applied, in order.</param>
/// <param name="Positional">Arguments after the last flag; etcd refuses to start when there are any.</param>
/// <param name="HelpRequested">-h, -help or --help was given (etcd prints its help and exits 0).</param>
/// <param name="Notices">Warnings from parsing (retired flags).</param>
public sealed record CommandLine(
    FlagValues Values,
    ImmutableArray<string> Positional,
    bool HelpRequested,
    ImmutableArray<StartupNotice> Notices)
{
    /// <summary>Names of the flags given on the command line, in table order.</summary>
    public IEnumerable<string> GivenFlags =>
        Values.Each().Where(e => e.Value.Origin.Source == ValueSource.CommandLine).Select(e => e.Flag.Name);

    public bool VersionRequested => Values.Bool("version");

    /// <summary>--config-file as given on the command line (empty when not given).</summary>
    public string ConfigFile => Values.String("config-file");
}
