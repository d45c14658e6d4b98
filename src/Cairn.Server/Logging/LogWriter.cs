using System.Collections.Frozen;
using System.Text;

namespace Cairn.Server.Logging;

/// <summary>
/// The shared end of a logger and all its package views: filters by level, formats, and writes each line to every
/// output under one lock, so lines from concurrent threads never interleave and each is flushed when written.
/// </summary>
internal sealed class LogWriter : IDisposable
{
    private readonly ILogFormat _format;
    private readonly LogOutput[] _outputs;
    private readonly LogLevel _minimum;
    private readonly FrozenDictionary<string, LogLevel> _packageLevels;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly StringBuilder _line = new(256);
    private byte[] _bytes = new byte[1024];

    public LogWriter(ILogFormat format, LogOutput[] outputs, LogLevel minimum, IReadOnlyDictionary<string, LogLevel>? packageLevels, TimeProvider time)
    {
        _format = format;
        _outputs = outputs;
        _time = time;
        _packageLevels = (packageLevels ?? new Dictionary<string, LogLevel>()).ToFrozenDictionary(StringComparer.Ordinal);
        _minimum = _packageLevels.TryGetValue("*", out var all) ? all : minimum;
    }

    public bool IsEnabled(LogLevel level, string package) =>
        level >= (_packageLevels.TryGetValue(package, out var threshold) ? threshold : _minimum);

    public void Write(LogLevel level, string package, string message, ReadOnlySpan<LogField> fields, string? capnslog, string caller)
    {
        if (!IsEnabled(level, package))
        {
            return;
        }

        var record = new LogRecord(_time.GetLocalNow(), level, package, message, fields.ToArray(), capnslog, caller);
        lock (_gate)
        {
            _line.Clear();
            _format.Format(record, _line);
            var needed = Encoding.UTF8.GetMaxByteCount(_line.Length);
            if (_bytes.Length < needed)
            {
                _bytes = new byte[Math.Max(needed, _bytes.Length * 2)];
            }

            var length = Encoding.UTF8.GetBytes(_line.ToString(), _bytes);
            foreach (var output in _outputs)
            {
                output.Write(_bytes.AsSpan(0, length), record);
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var output in _outputs)
            {
                output.Dispose();
            }
        }
    }
}
