namespace Cairn.Server.Logging;

/// <summary>
/// Severity, ordered from least to most severe. The union of zap's levels and capnslog's NOTICE (which etcd
/// uses for some lifecycle lines): in zap output NOTICE prints as "info"; in capnslog output DPANIC, PANIC and
/// FATAL print as "C" (critical).
/// </summary>
public enum LogLevel
{
    Debug,
    Info,
    Notice,
    Warn,
    Error,
    DPanic,
    Panic,
    Fatal,
}

/// <summary>The names and letters etcd's two log formats use for each level.</summary>
public static class LogLevelNames
{
    /// <summary>zap's lower-case level name ("info", "warn", ...).</summary>
    public static string Zap(LogLevel level) => level switch
    {
        LogLevel.Debug => "debug",
        LogLevel.Info or LogLevel.Notice => "info",
        LogLevel.Warn => "warn",
        LogLevel.Error => "error",
        LogLevel.DPanic => "dpanic",
        LogLevel.Panic => "panic",
        _ => "fatal",
    };

    /// <summary>capnslog's one-letter level ("I", "W", "N", ...).</summary>
    public static char Capnslog(LogLevel level) => level switch
    {
        LogLevel.Debug => 'D',
        LogLevel.Info => 'I',
        LogLevel.Notice => 'N',
        LogLevel.Warn => 'W',
        LogLevel.Error => 'E',
        _ => 'C',
    };

    /// <summary>A <c>--log-level</c> word (debug, info, warn, error, dpanic, panic, fatal), or null if unknown.</summary>
    public static LogLevel? ParseLogLevelFlag(string text) => text switch
    {
        "debug" => LogLevel.Debug,
        "info" => LogLevel.Info,
        "warn" => LogLevel.Warn,
        "error" => LogLevel.Error,
        "dpanic" => LogLevel.DPanic,
        "panic" => LogLevel.Panic,
        "fatal" => LogLevel.Fatal,
        _ => null,
    };

    /// <summary>A capnslog level word or letter as <c>--log-package-levels</c> takes it ("DEBUG", "W", "3"...).</summary>
    public static LogLevel? ParseCapnslogLevel(string text) => text switch
    {
        "CRITICAL" or "C" => LogLevel.Fatal,
        "ERROR" or "0" or "E" => LogLevel.Error,
        "WARNING" or "1" or "W" => LogLevel.Warn,
        "NOTICE" or "2" or "N" => LogLevel.Notice,
        "INFO" or "3" or "I" => LogLevel.Info,
        "DEBUG" or "4" or "D" or "TRACE" or "5" or "T" => LogLevel.Debug,
        _ => null,
    };
}
