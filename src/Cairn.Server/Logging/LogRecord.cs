namespace Cairn.Server.Logging;

/// <summary>One log line before formatting.</summary>
/// <param name="Timestamp">When it was logged, in local time (both of etcd's formats print local time).</param>
/// <param name="Level">Its severity.</param>
/// <param name="Package">capnslog's package ("etcdserver", "embed", "pkg/flags"); zap does not print it.</param>
/// <param name="Message">The message, as zap prints it in "msg".</param>
/// <param name="Fields">Structured fields, printed by zap after "msg".</param>
/// <param name="CapnslogText">etcd's capnslog wording for the same event, when it differs from message and fields.</param>
/// <param name="Caller">"Folder/File.cs:line" of the code that logged, as zap's short caller.</param>
public readonly record struct LogRecord(
    DateTimeOffset Timestamp,
    LogLevel Level,
    string Package,
    string Message,
    LogField[] Fields,
    string? CapnslogText,
    string Caller);
