using System.Globalization;
using System.Text;

namespace Cairn.Server.Logging;

/// <summary>
/// capnslog's pretty formatter, etcd 3.4's default: <c>2006-01-02 15:04:05.000000 I | pkg: message</c>, local
/// time, with " [File.cs:line]" after the time when --debug is on. Records without a capnslog wording print their
/// message followed by the fields as key=value pairs.
/// </summary>
internal sealed class CapnslogFormat : ILogFormat
{
    private const string RaftPackage = "raft";

    private readonly bool _showCaller;

    public CapnslogFormat(bool showCaller) => _showCaller = showCaller;

    public void Format(in LogRecord record, StringBuilder line)
    {
        if (record.Package == RaftPackage)
        {
            FormatRaft(record, line);
            return;
        }

        line.Append(record.Timestamp.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture));
        if (_showCaller)
        {
            var slash = record.Caller.LastIndexOf('/');
            line.Append(" [").Append(slash >= 0 ? record.Caller[(slash + 1)..] : record.Caller).Append(']');
        }

        line.Append(' ').Append(LogLevelNames.Capnslog(record.Level)).Append(" | ");
        if (record.Package.Length != 0)
        {
            line.Append(record.Package).Append(": ");
        }

        AppendText(line, record);
    }

    /// <summary>
    /// With capnslog, etcd leaves its raft package on raft's default logger, Go's standard log with the prefix
    /// "raft": <c>raft2006/01/02 15:04:05 INFO: message</c>.
    /// </summary>
    private static void FormatRaft(in LogRecord record, StringBuilder line)
    {
        line.Append(RaftPackage).Append(record.Timestamp.ToString("yyyy/MM/dd HH:mm:ss", CultureInfo.InvariantCulture)).Append(' ');
        line.Append(record.Level switch
        {
            LogLevel.Debug => "DEBUG",
            LogLevel.Info or LogLevel.Notice => "INFO",
            LogLevel.Warn => "WARN",
            LogLevel.Error => "ERROR",
            LogLevel.DPanic or LogLevel.Panic => "PANIC",
            _ => "FATAL",
        }).Append(": ");
        AppendText(line, record);
    }

    /// <summary>The capnslog wording, or the message and its fields; one line.</summary>
    private static void AppendText(StringBuilder line, in LogRecord record)
    {
        var start = line.Length;
        if (record.CapnslogText is not null)
        {
            line.Append(record.CapnslogText);
        }
        else
        {
            AppendMessageAndFields(line, record);
        }

        if (line.Length == start || line[^1] != '\n')
        {
            line.Append('\n');
        }
    }

    private static void AppendMessageAndFields(StringBuilder line, in LogRecord record)
    {
        line.Append(record.Message);
        foreach (var field in record.Fields)
        {
            line.Append(' ').Append(field.Key).Append('=');
            AppendValue(line, field);
        }
    }

    private static void AppendValue(StringBuilder line, in LogField field)
    {
        if (field.Kind == LogFieldKind.String)
        {
            AppendWord(line, field.Text);
            return;
        }

        if (field.Kind != LogFieldKind.Strings)
        {
            line.Append(field.ScalarText);
            return;
        }

        line.Append('[');
        for (var i = 0; i < field.List.Length; i++)
        {
            if (i > 0)
            {
                line.Append(' ');
            }

            AppendWord(line, field.List[i]);
        }

        line.Append(']');
    }

    /// <summary>Quotes a value that would otherwise blur into the next pair.</summary>
    private static void AppendWord(StringBuilder line, string word)
    {
        if (word.Length != 0 && !word.Any(c => char.IsWhiteSpace(c) || c is '"' or '=' || char.IsControl(c)))
        {
            line.Append(word);
            return;
        }

        ZapJsonFormat.AppendString(line, word);
    }
}
