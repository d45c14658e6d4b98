using System.Runtime.CompilerServices;

namespace Cairn.Server.Logging;

/// <summary>
/// The server's logger: levels, a message, typed fields, written as etcd 3.4 writes them (zap JSON or capnslog
/// text). Thread-safe; no static state, so two servers in one process each have their own. Fatal and panic
/// levels only log: stopping is the caller's decision.
/// </summary>
/// <example>
/// <code>
/// log.Info("configuring peer listeners", [LogField.Strings("listen-peer-urls", urls)],
///     capnslog: $"configuring peer listeners with {string.Join(",", urls)}");
/// </code>
/// </example>
public sealed class ServerLogger : IDisposable
{
    private readonly LogWriter _writer;
    private readonly bool _ownsWriter;

    private ServerLogger(LogWriter writer, LogFormatKind format, string package, bool ownsWriter)
    {
        _writer = writer;
        Format = format;
        Package = package;
        _ownsWriter = ownsWriter;
    }

    /// <summary>zap or capnslog: for the few places where etcd words or levels an event differently per format.</summary>
    public LogFormatKind Format { get; }

    /// <summary>The capnslog package this view logs as ("etcdserver", "embed"...); empty for none.</summary>
    public string Package { get; }

    /// <summary>
    /// Creates a logger for these options. Files are opened for append (created if missing) now; returns null and
    /// the reason when an output cannot be opened.
    /// </summary>
    public static ServerLogger? TryCreate(LoggerOptions options, StandardStreams streams, out string? error, TimeProvider? time = null)
    {
        error = null;
        var outputs = new List<LogOutput>();
        foreach (var target in options.Targets)
        {
            var output = OpenOutput(target, options, streams, out error);
            if (output is null)
            {
                outputs.ForEach(o => o.Dispose());
                return null;
            }

            outputs.Add(output);
        }

        if (outputs.OfType<DiscardLogOutput>().Any())
        {
            outputs.ForEach(o => o.Dispose());
            outputs = [new DiscardLogOutput()];
        }

        ILogFormat format = options.Format == LogFormatKind.Zap ? ZapJsonFormat.Instance : new CapnslogFormat(options.ShowCaller);
        var writer = new LogWriter(format, [.. outputs], options.MinimumLevel, options.PackageLevels, time ?? TimeProvider.System);
        return new ServerLogger(writer, options.Format, string.Empty, ownsWriter: true);
    }

    /// <summary>A logger for these options that cannot fail: anything that does not open falls back to stderr.</summary>
    public static ServerLogger Create(LoggerOptions options, StandardStreams streams, TimeProvider? time = null) =>
        TryCreate(options, streams, out _, time) ?? TryCreate(options with { Targets = [LogTarget.Stderr] }, streams, out _, time)!;

    /// <summary>A view of the same logger that logs as another capnslog package.</summary>
    public ServerLogger ForPackage(string package) => new(_writer, Format, package, ownsWriter: false);

    public bool IsEnabled(LogLevel level) => _writer.IsEnabled(level, Package);

    /// <param name="level">Severity.</param>
    /// <param name="message">zap's "msg".</param>
    /// <param name="fields">Structured fields, in the order zap prints them.</param>
    /// <param name="capnslog">etcd's capnslog wording for this event, when it is not just the message.</param>
    /// <param name="file">Filled in by the compiler.</param>
    /// <param name="line">Filled in by the compiler.</param>
    public void Log(LogLevel level, string message, ReadOnlySpan<LogField> fields = default, string? capnslog = null,
        [CallerFilePath] string file = "", [CallerLineNumber] int line = 0) =>
        _writer.Write(level, Package, message, fields, capnslog, Caller(file, line));

    public void Debug(string message, ReadOnlySpan<LogField> fields = default, string? capnslog = null,
        [CallerFilePath] string file = "", [CallerLineNumber] int line = 0) =>
        _writer.Write(LogLevel.Debug, Package, message, fields, capnslog, Caller(file, line));

    public void Info(string message, ReadOnlySpan<LogField> fields = default, string? capnslog = null,
        [CallerFilePath] string file = "", [CallerLineNumber] int line = 0) =>
        _writer.Write(LogLevel.Info, Package, message, fields, capnslog, Caller(file, line));

    /// <summary>An info event etcd 3.4 logs only through zap: its capnslog code path prints nothing for it.</summary>
    public void ZapInfo(string message, ReadOnlySpan<LogField> fields = default, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0)
    {
        if (Format == LogFormatKind.Zap)
        {
            _writer.Write(LogLevel.Info, Package, message, fields, null, Caller(file, line));
        }
    }

    /// <summary>capnslog's NOTICE ("N"); zap prints it as info.</summary>
    public void Notice(string message, ReadOnlySpan<LogField> fields = default, string? capnslog = null,
        [CallerFilePath] string file = "", [CallerLineNumber] int line = 0) =>
        _writer.Write(LogLevel.Notice, Package, message, fields, capnslog, Caller(file, line));

    public void Warn(string message, ReadOnlySpan<LogField> fields = default, string? capnslog = null,
        [CallerFilePath] string file = "", [CallerLineNumber] int line = 0) =>
        _writer.Write(LogLevel.Warn, Package, message, fields, capnslog, Caller(file, line));

    public void Error(string message, ReadOnlySpan<LogField> fields = default, string? capnslog = null,
        [CallerFilePath] string file = "", [CallerLineNumber] int line = 0) =>
        _writer.Write(LogLevel.Error, Package, message, fields, capnslog, Caller(file, line));

    /// <summary>Logs at fatal level ("C" in capnslog). Does not stop anything.</summary>
    public void Fatal(string message, ReadOnlySpan<LogField> fields = default, string? capnslog = null,
        [CallerFilePath] string file = "", [CallerLineNumber] int line = 0) =>
        _writer.Write(LogLevel.Fatal, Package, message, fields, capnslog, Caller(file, line));

    public void Dispose()
    {
        if (_ownsWriter)
        {
            _writer.Dispose();
        }
    }

    /// <summary>zap's short caller: the last folder and the file name, then the line.</summary>
    private static string Caller(string file, int line)
    {
        var end = file.Length;
        var slash = file.LastIndexOfAny(['/', '\\']);
        var start = slash > 0 ? file.LastIndexOfAny(['/', '\\'], slash - 1) + 1 : 0;
        return string.Concat(file.AsSpan(start, end - start), ":", line.ToString(System.Globalization.CultureInfo.InvariantCulture)).Replace('\\', '/');
    }

    private static LogOutput? OpenOutput(LogTarget target, LoggerOptions options, StandardStreams streams, out string? error)
    {
        error = null;
        switch (target.Kind)
        {
            case LogTargetKind.Stderr:
                return new StreamLogOutput(streams.Stderr, ownsStream: false);
            case LogTargetKind.Stdout:
                return new StreamLogOutput(streams.Stdout, ownsStream: false);
            case LogTargetKind.Discard:
                return new DiscardLogOutput();
            case LogTargetKind.Journal:
                return JournaldLogOutput.TryOpen(options.JournalSocketPath, new StreamLogOutput(streams.Stderr, ownsStream: false), options.SyslogIdentifier, out error);
            default:
                try
                {
                    var stream = new FileStream(target.Path!, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1);
                    return new StreamLogOutput(stream, ownsStream: true);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
                {
                    error = $"open sink \"{target.Path}\": " + GoErrorText.Open(target.Path!, e);
                    return null;
                }
        }
    }
}
