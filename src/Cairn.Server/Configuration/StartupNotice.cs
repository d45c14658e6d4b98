using System.Collections.Immutable;
using Cairn.Server.Logging;

namespace Cairn.Server.Configuration;

/// <summary>
/// A log line that reading the configuration wants printed. They are collected before the logger exists (the
/// logger depends on the configuration) and written once it does, in the order they arose.
/// </summary>
/// <param name="Level">Severity.</param>
/// <param name="Package">The capnslog package etcd logs this from ("pkg/flags", "etcdmain", "embed").</param>
/// <param name="Message">zap's message.</param>
/// <param name="Fields">zap's fields.</param>
/// <param name="Capnslog">etcd's capnslog wording.</param>
public sealed record StartupNotice(LogLevel Level, string Package, string Message, ImmutableArray<LogField> Fields, string? Capnslog = null)
{
    /// <summary>Writes this notice to a logger.</summary>
    public void WriteTo(ServerLogger logger) =>
        logger.ForPackage(Package).Log(Level, Message, Fields.AsSpan(), Capnslog);
}
