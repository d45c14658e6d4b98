using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using Cairn.Server.Logging;

namespace Cairn.Server.Configuration;

/// <summary>
/// A line that reading the configuration wants printed. They are collected before the logger exists (the logger
/// depends on the configuration) and written once it does, in the order they arose. A notice with a
/// <see cref="RawLine"/> is one of the lines etcd writes straight to stderr ("[WARNING] Deprecated ...").
/// </summary>
/// <param name="Level">Severity.</param>
/// <param name="Package">The capnslog package etcd logs this from ("pkg/flags", "etcdmain", "embed").</param>
/// <param name="Message">zap's message.</param>
/// <param name="Fields">zap's fields.</param>
/// <param name="Capnslog">etcd's capnslog wording.</param>
/// <param name="File">Where the notice arose (filled in by the compiler), for zap's caller.</param>
/// <param name="Line">Where the notice arose (filled in by the compiler), for zap's caller.</param>
public sealed record StartupNotice(
    LogLevel Level,
    string Package,
    string Message,
    ImmutableArray<LogField> Fields,
    string? Capnslog = null,
    [CallerFilePath] string File = "",
    [CallerLineNumber] int Line = 0)
{
    /// <summary>For a line written to stderr as it is rather than logged: the line.</summary>
    public string? RawLine { get; private init; }

    /// <summary>A line etcd prints straight to stderr, not through its logger.</summary>
    public static StartupNotice Raw(string line) => new(LogLevel.Warn, string.Empty, line, []) { RawLine = line };

    /// <summary>Writes this notice: raw lines to stderr, the others to the logger.</summary>
    public void WriteTo(ServerLogger logger, Stream stderr)
    {
        if (RawLine is not null)
        {
            stderr.Write(System.Text.Encoding.UTF8.GetBytes(RawLine + "\n"));
            stderr.Flush();
            return;
        }

        logger.ForPackage(Package).Log(Level, Message, Fields.AsSpan(), Capnslog, File, Line);
    }
}
