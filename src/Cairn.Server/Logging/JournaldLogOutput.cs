using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;

namespace Cairn.Server.Logging;

/// <summary>
/// etcd's "systemd/journal" log output: each zap JSON line is sent to journald's native socket as MESSAGE, with
/// PRIORITY from the level, PACKAGE from the caller's folder and SYSLOG_IDENTIFIER; when a send fails the line
/// goes to the fallback stream instead, as etcd's journal writer does.
/// </summary>
internal sealed class JournaldLogOutput : LogOutput
{
    private readonly Socket _socket;
    private readonly UnixDomainSocketEndPoint _endPoint;
    private readonly LogOutput _fallback;
    private readonly string _identifier;

    private JournaldLogOutput(Socket socket, UnixDomainSocketEndPoint endPoint, LogOutput fallback, string identifier)
    {
        _socket = socket;
        _endPoint = endPoint;
        _fallback = fallback;
        _identifier = identifier;
    }

    /// <summary>Connects to the journal; returns null and the reason when it cannot be reached.</summary>
    public static JournaldLogOutput? TryOpen(string socketPath, LogOutput fallback, string identifier, out string? error)
    {
        error = null;
        var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        var endPoint = new UnixDomainSocketEndPoint(socketPath);
        try
        {
            socket.Connect(endPoint);
            return new JournaldLogOutput(socket, endPoint, fallback, identifier);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            error = $"can't find journal (dial unixgram {socketPath}: {e.Message})";
            return null;
        }
    }

    public override void Write(ReadOnlySpan<byte> line, in LogRecord record)
    {
        var message = line.Length > 0 && line[^1] == (byte)'\n' ? line[..^1] : line;
        var slash = record.Caller.LastIndexOf('/');
        var datagram = new List<byte>(message.Length + 128);
        AppendField(datagram, "PRIORITY", Encoding.ASCII.GetBytes(Priority(record.Level).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        AppendField(datagram, "MESSAGE", message);
        AppendField(datagram, "PACKAGE", Encoding.UTF8.GetBytes(slash >= 0 ? record.Caller[..slash] : "."));
        AppendField(datagram, "SYSLOG_IDENTIFIER", Encoding.UTF8.GetBytes(_identifier));
        try
        {
            _socket.SendTo(datagram.ToArray(), _endPoint);
        }
        catch (SocketException)
        {
            _fallback.Write(line, record);
        }
    }

    public override void Dispose() => _socket.Dispose();

    private static int Priority(LogLevel level) => level switch
    {
        LogLevel.Debug => 7,
        LogLevel.Info => 6,
        LogLevel.Notice => 5,
        LogLevel.Warn => 4,
        LogLevel.Error => 3,
        _ => 2,
    };

    /// <summary>journald's native protocol: KEY=value, or KEY, a little-endian length and the raw value when it has a newline.</summary>
    private static void AppendField(List<byte> datagram, string key, ReadOnlySpan<byte> value)
    {
        datagram.AddRange(Encoding.ASCII.GetBytes(key));
        if (value.Contains((byte)'\n'))
        {
            datagram.Add((byte)'\n');
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)value.Length);
            datagram.AddRange(length);
        }
        else
        {
            datagram.Add((byte)'=');
        }

        datagram.AddRange(value);
        datagram.Add((byte)'\n');
    }
}
