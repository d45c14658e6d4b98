using Cairn.Server.Logging;

namespace Cairn.Server.Tests.Logging;

/// <summary>A clock stopped at one instant in one time zone.</summary>
internal sealed class FixedTimeProvider(DateTimeOffset utcNow, TimeZoneInfo zone) : TimeProvider
{
    public static readonly DateTimeOffset Instant = new(2026, 11, 22, 3, 22, 39, 365, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow() => utcNow;

    public override TimeZoneInfo LocalTimeZone => zone;
}

/// <summary>A logger writing to in-memory stdout/stderr at a fixed time, and what it wrote.</summary>
internal sealed class CapturedLogger : IDisposable
{
    public CapturedLogger(LoggerOptions options, TimeZoneInfo? zone = null)
    {
        Logger = ServerLogger.TryCreate(options, new StandardStreams(Stdout, Stderr), out var error,
            new FixedTimeProvider(FixedTimeProvider.Instant, zone ?? TimeZoneInfo.Utc)) ?? throw new InvalidOperationException(error);
    }

    public MemoryStream Stdout { get; } = new();

    public MemoryStream Stderr { get; } = new();

    public ServerLogger Logger { get; }

    public string[] StderrLines => Lines(Stderr);

    public string[] StdoutLines => Lines(Stdout);

    public static CapturedLogger Zap(LogLevel level = LogLevel.Info) => new(new LoggerOptions(LogFormatKind.Zap, level, [LogTarget.Stderr]));

    public static CapturedLogger Capnslog(LogLevel level = LogLevel.Info, bool showCaller = false) =>
        new(new LoggerOptions(LogFormatKind.Capnslog, level, [LogTarget.Stderr], showCaller));

    public void Dispose() => Logger.Dispose();

    private static string[] Lines(MemoryStream stream) =>
        System.Text.Encoding.UTF8.GetString(stream.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
