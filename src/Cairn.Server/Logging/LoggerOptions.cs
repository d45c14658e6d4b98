using System.Collections.Immutable;

namespace Cairn.Server.Logging;

/// <summary>etcd's two log formats (<c>--logger</c>).</summary>
public enum LogFormatKind
{
    /// <summary>capnslog text lines, etcd 3.4's default.</summary>
    Capnslog,

    /// <summary>zap JSON lines.</summary>
    Zap,
}

/// <summary>Where log lines go (one <c>--log-outputs</c> item).</summary>
public enum LogTargetKind
{
    Stderr,
    Stdout,
    File,

    /// <summary>systemd's journal, through its native socket (zap only, as in etcd).</summary>
    Journal,

    /// <summary>"/dev/null": zap discards everything when it is among the outputs.</summary>
    Discard,
}

/// <summary>One destination for log lines; <see cref="Path"/> is set for <see cref="LogTargetKind.File"/>.</summary>
public readonly record struct LogTarget(LogTargetKind Kind, string? Path = null)
{
    public static readonly LogTarget Stderr = new(LogTargetKind.Stderr);
    public static readonly LogTarget Stdout = new(LogTargetKind.Stdout);

    public override string ToString() => Kind switch
    {
        LogTargetKind.Stderr => "stderr",
        LogTargetKind.Stdout => "stdout",
        LogTargetKind.Journal => "systemd/journal",
        LogTargetKind.Discard => "/dev/null",
        _ => Path ?? string.Empty,
    };
}

/// <summary>Everything that decides how the server's logger writes: format, threshold, outputs.</summary>
/// <param name="Format">zap JSON or capnslog text.</param>
/// <param name="MinimumLevel">Lines below this level are dropped.</param>
/// <param name="Targets">Where each line is written (all of them).</param>
/// <param name="ShowCaller">capnslog with --debug: print "[File.cs:line]" on each line, as etcd does.</param>
/// <param name="PackageLevels">capnslog's --log-package-levels: a threshold per package ("*" for all).</param>
public sealed record LoggerOptions(
    LogFormatKind Format,
    LogLevel MinimumLevel,
    ImmutableArray<LogTarget> Targets,
    bool ShowCaller = false,
    ImmutableDictionary<string, LogLevel>? PackageLevels = null)
{
    /// <summary>etcd 3.4's defaults: capnslog, info, stderr.</summary>
    public static readonly LoggerOptions Default = new(LogFormatKind.Capnslog, LogLevel.Info, [LogTarget.Stderr]);

    /// <summary>The journald SYSLOG_IDENTIFIER (etcd uses its binary's name).</summary>
    public string SyslogIdentifier { get; init; } = "cairn";

    /// <summary>journald's native socket, for the "systemd/journal" output.</summary>
    public string JournalSocketPath { get; init; } = "/run/systemd/journal/socket";

    /// <summary>Value equality, lists and package levels included.</summary>
    public bool Equals(LoggerOptions? other) =>
        other is not null && Format == other.Format && MinimumLevel == other.MinimumLevel && ShowCaller == other.ShowCaller &&
        SyslogIdentifier == other.SyslogIdentifier && JournalSocketPath == other.JournalSocketPath && Targets.SequenceEqual(other.Targets) &&
        (PackageLevels ?? ImmutableDictionary<string, LogLevel>.Empty).OrderBy(p => p.Key, StringComparer.Ordinal)
            .SequenceEqual((other.PackageLevels ?? ImmutableDictionary<string, LogLevel>.Empty).OrderBy(p => p.Key, StringComparer.Ordinal));

    public override int GetHashCode() => HashCode.Combine(Format, MinimumLevel, ShowCaller, Targets.Length);
}
