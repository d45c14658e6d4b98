using System.Globalization;
using System.Text;

namespace Cairn.Server.Logging;

/// <summary>
/// etcd 3.4's zap production encoder: one JSON object per line with "level", "ts" (ISO 8601, milliseconds,
/// local offset), "caller" and "msg" first, then the fields in the order given; strings escaped as zap does.
/// </summary>
internal sealed class ZapJsonFormat : ILogFormat
{
    public static readonly ZapJsonFormat Instance = new();

    public void Format(in LogRecord record, StringBuilder line)
    {
        line.Append("{\"level\":\"").Append(LogLevelNames.Zap(record.Level)).Append("\",\"ts\":\"");
        AppendTimestamp(line, record.Timestamp);
        line.Append("\",\"caller\":");
        AppendString(line, record.Caller);
        line.Append(",\"msg\":");
        AppendString(line, record.Message);
        foreach (var field in record.Fields)
        {
            line.Append(',');
            AppendString(line, field.Key);
            line.Append(':');
            AppendValue(line, field);
        }

        line.Append("}\n");
    }

    /// <summary>Go's "2006-01-02T15:04:05.000Z0700": "Z" for UTC, else "+hhmm".</summary>
    internal static void AppendTimestamp(StringBuilder line, DateTimeOffset ts)
    {
        line.Append(ts.ToString("yyyy-MM-dd'T'HH:mm:ss.fff", CultureInfo.InvariantCulture));
        if (ts.Offset == TimeSpan.Zero)
        {
            line.Append('Z');
            return;
        }

        var offset = ts.Offset;
        line.Append(offset < TimeSpan.Zero ? '-' : '+');
        offset = offset.Duration();
        line.Append(offset.Hours.ToString("00", CultureInfo.InvariantCulture))
            .Append(offset.Minutes.ToString("00", CultureInfo.InvariantCulture));
    }

    private static void AppendValue(StringBuilder line, in LogField field)
    {
        switch (field.Kind)
        {
            case LogFieldKind.String or LogFieldKind.Duration:
                AppendString(line, field.ScalarText);
                break;
            case LogFieldKind.Strings:
                line.Append('[');
                for (var i = 0; i < field.List.Length; i++)
                {
                    if (i > 0)
                    {
                        line.Append(',');
                    }

                    AppendString(line, field.List[i]);
                }

                line.Append(']');
                break;
            case LogFieldKind.Double:
                AppendDouble(line, field.DoubleValue);
                break;
            default:
                line.Append(field.ScalarText);
                break;
        }
    }

    private static void AppendDouble(StringBuilder line, double value)
    {
        if (double.IsNaN(value))
        {
            line.Append("\"NaN\"");
        }
        else if (double.IsPositiveInfinity(value))
        {
            line.Append("\"+Inf\"");
        }
        else if (double.IsNegativeInfinity(value))
        {
            line.Append("\"-Inf\"");
        }
        else
        {
            line.Append(value.ToString("R", CultureInfo.InvariantCulture));
        }
    }

    /// <summary>zap's safeAddString: only '"', '\\' and control characters are escaped (lower-case hex).</summary>
    internal static void AppendString(StringBuilder line, string s)
    {
        line.Append('"');
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            switch (c)
            {
                case '"':
                    line.Append("\\\"");
                    break;
                case '\\':
                    line.Append("\\\\");
                    break;
                case '\n':
                    line.Append("\\n");
                    break;
                case '\r':
                    line.Append("\\r");
                    break;
                case '\t':
                    line.Append("\\t");
                    break;
                default:
                    if (c < 0x20)
                    {
                        line.Append("\\u00").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
                    }
                    else if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
                    {
                        line.Append(c).Append(s[++i]);
                    }
                    else if (char.IsSurrogate(c))
                    {
                        line.Append("\\ufffd");
                    }
                    else
                    {
                        line.Append(c);
                    }

                    break;
            }
        }

        line.Append('"');
    }
}
