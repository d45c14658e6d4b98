using System.Collections.Immutable;

namespace Cairn.Server.Logging;

/// <summary>What a <see cref="LogField"/> holds, which decides how zap's JSON encoder writes it.</summary>
public enum LogFieldKind
{
    String,
    Strings,
    Int,
    UInt,
    Double,
    Bool,
    Duration,
}

/// <summary>
/// One structured field of a log line, typed like zap's fields (<c>zap.String</c>, <c>zap.Strings</c>,
/// <c>zap.Int64</c>, <c>zap.Duration</c>, <c>zap.Error</c>...) so the JSON comes out as etcd's does.
/// </summary>
public readonly struct LogField
{
    private readonly string? _text;
    private readonly ImmutableArray<string> _list;
    private readonly long _int;
    private readonly ulong _uint;
    private readonly double _double;

    private LogField(string key, LogFieldKind kind, string? text = null, ImmutableArray<string> list = default,
        long integer = 0, ulong unsignedInteger = 0, double real = 0)
    {
        Key = key;
        Kind = kind;
        _text = text;
        _list = list;
        _int = integer;
        _uint = unsignedInteger;
        _double = real;
    }

    /// <summary>A string field (zap.String).</summary>
    public LogField(string key, string value)
        : this(key, LogFieldKind.String, text: value)
    {
    }

    public string Key { get; }

    public LogFieldKind Kind { get; }

    public string Text => _text ?? string.Empty;

    public ImmutableArray<string> List => _list.IsDefault ? ImmutableArray<string>.Empty : _list;

    public long IntValue => _int;

    public ulong UIntValue => _uint;

    public double DoubleValue => _double;

    public bool BoolValue => _int != 0;

    /// <summary>Nanoseconds, for <see cref="LogFieldKind.Duration"/>.</summary>
    public long DurationNanoseconds => _int;

    /// <summary>A number, boolean or duration as Go prints it (the text itself for a string field).</summary>
    public string ScalarText => Kind switch
    {
        LogFieldKind.Int => _int.ToString(System.Globalization.CultureInfo.InvariantCulture),
        LogFieldKind.UInt => _uint.ToString(System.Globalization.CultureInfo.InvariantCulture),
        LogFieldKind.Double => _double.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        LogFieldKind.Bool => BoolValue ? "true" : "false",
        LogFieldKind.Duration => GoDurationText.Format(_int),
        LogFieldKind.Strings => string.Join(",", List),
        _ => Text,
    };

    public static LogField String(string key, string value) => new(key, value);

    public static LogField Strings(string key, IEnumerable<string> values) => new(key, LogFieldKind.Strings, list: [.. values]);

    public static LogField Int(string key, long value) => new(key, LogFieldKind.Int, integer: value);

    public static LogField UInt(string key, ulong value) => new(key, LogFieldKind.UInt, unsignedInteger: value);

    public static LogField Double(string key, double value) => new(key, LogFieldKind.Double, real: value);

    public static LogField Boolean(string key, bool value) => new(key, LogFieldKind.Bool, integer: value ? 1 : 0);

    /// <summary>A duration, written the way Go prints one ("100ms", "1h0m0s"), as zap's encoder in etcd does.</summary>
    public static LogField Duration(string key, TimeSpan value) => new(key, LogFieldKind.Duration, integer: value.Ticks * 100);

    /// <summary>zap.Error: the key "error" and the error's message.</summary>
    public static LogField Error(string message) => new("error", message);

    /// <summary>zap.Error for an exception: its message.</summary>
    public static LogField Error(Exception exception) => new("error", exception.Message);
}
