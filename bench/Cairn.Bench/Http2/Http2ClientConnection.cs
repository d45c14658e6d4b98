using System.Buffers.Binary;
using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Cairn.Bench.Http2;

/// <summary>
/// A cleartext HTTP/2 client connection framed by hand, read by one thread with blocking
/// receives: the cheapest client this machine can run beside the server it measures. The
/// benchmarks share two cores with that server, and through HttpClient's HTTP/2 (a wake-up of a
/// reader task per response, a copy per stream) the client spent more CPU per request or event
/// than the server did, which capped both and hid the servers' difference.
/// <para>
/// This part speaks what every such client needs: the preface, its own SETTINGS with large
/// windows (replenished at half), answers to SETTINGS and PING, and a write buffer that the
/// reader flushes once per receive, so that what the frames of one receive cause (window
/// updates, acks, the next requests of the callers it completed) goes out in one send. The kind
/// of stream on top (watch, unary) handles the rest; nothing here decodes HPACK, so the server's
/// encoder table does not matter.
/// </para>
/// </summary>
internal abstract class Http2ClientConnection : IDisposable
{
    private const int StreamWindow = 4 * 1024 * 1024;
    private const int ConnectionWindow = 64 * 1024 * 1024;

    private readonly Socket _socket;
    private readonly string _readerName;
    private readonly TaskCompletionSource _serverSettings = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Thread? _reader;
    private byte[] _pending = new byte[64 * 1024];
    private byte[] _sending = new byte[64 * 1024];
    private int _pendingLength;
    private bool _flushing;
    private bool _readerBusy;
    private long _connectionUnacked;
    private volatile string? _failure;

    protected Http2ClientConnection(Socket socket, Uri target, string readerName)
    {
        _socket = socket;
        _readerName = readerName;
        Authority = $"{target.Host}:{target.Port}";
    }

    /// <summary>Why the connection stopped (the server closed it, a protocol error...); null while it runs.</summary>
    public string? Failure => _failure;

    /// <summary>The <c>:authority</c> of requests: the target's host and port.</summary>
    protected string Authority { get; }

    /// <summary>Guards the write buffer and whatever the kind of stream on top keeps beside it.</summary>
    protected object Gate { get; } = new();

    /// <summary>
    /// A connected socket in blocking mode. Connected synchronously on purpose: after one
    /// asynchronous operation .NET keeps a socket non-blocking and runs its blocking receives
    /// through the epoll thread and a wait, which cost more CPU than the rest of a call.
    /// </summary>
    protected static Socket ConnectSocket(Uri target)
    {
        if (target.Scheme != "http")
        {
            throw new ArgumentException($"the hand-framed HTTP/2 client speaks cleartext HTTP/2 only, not {target.Scheme}");
        }
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            socket.Connect(target.Host, target.Port);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        return socket;
    }

    /// <summary>
    /// <paramref name="connection"/> once started: the preface and this side's settings sent, the
    /// reader running, and the server's SETTINGS arrived (a stream opened before would not know
    /// the server's limits, and a server refuses the streams over its SETTINGS_MAX_CONCURRENT_STREAMS).
    /// Disposed when it does not start.
    /// </summary>
    protected static async Task<T> StartAsync<T>(T connection)
        where T : Http2ClientConnection
    {
        try
        {
            await connection.HandshakeAsync().ConfigureAwait(false);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
        return connection;
    }

    private async Task HandshakeAsync()
    {
        Span<byte> settings = stackalloc byte[12];
        BinaryPrimitives.WriteUInt16BigEndian(settings, Http2Frame.EnablePushSetting);
        BinaryPrimitives.WriteUInt32BigEndian(settings[2..], 0);
        BinaryPrimitives.WriteUInt16BigEndian(settings[6..], Http2Frame.InitialWindowSizeSetting);
        BinaryPrimitives.WriteUInt32BigEndian(settings[8..], StreamWindow);
        lock (Gate)
        {
            Http2Frame.Preface.CopyTo(Reserve(Http2Frame.Preface.Length));
            AppendFrame(Http2Frame.Settings, 0, 0, settings);
            AppendWindowUpdate(0, ConnectionWindow - Http2Frame.DefaultWindow);
        }
        Flush();
        _reader = new Thread(ReadLoop) { IsBackground = true, Name = _readerName };
        _reader.Start();
        await _serverSettings.Task.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
    }

    /// <summary>A DATA frame's content (padding removed); <paramref name="counted"/> is what it costs the window.</summary>
    protected abstract void OnData(byte flags, int streamId, ReadOnlySpan<byte> data, int counted, long receivedAt);

    /// <summary>A HEADERS frame; its block (and any CONTINUATION) is skipped, never decoded.</summary>
    protected virtual void OnHeaders(int streamId, bool endStream)
    {
    }

    protected virtual void OnReset(int streamId, uint errorCode)
    {
    }

    protected virtual void OnGoAway(int lastStreamId, uint errorCode, string debug)
    {
    }

    protected virtual void OnWindowUpdate(int streamId, int increment)
    {
    }

    /// <summary>One setting of the server's SETTINGS, before they are acknowledged.</summary>
    protected virtual void OnSetting(ushort id, uint value)
    {
    }

    /// <summary>The reader has stopped for good (on the reader thread): nothing more will arrive.</summary>
    protected virtual void OnStopped(string failure)
    {
    }

    /// <summary>
    /// Counts <paramref name="counted"/> received bytes against the stream's and the
    /// connection's windows, and gives them back in a WINDOW_UPDATE once half is used.
    /// </summary>
    protected void Replenish(int streamId, ref long streamUnacked, int counted)
    {
        streamUnacked += counted;
        _connectionUnacked += counted;
        if (streamUnacked < StreamWindow / 2 && _connectionUnacked < ConnectionWindow / 2)
        {
            return;
        }
        lock (Gate)
        {
            if (streamUnacked >= StreamWindow / 2)
            {
                AppendWindowUpdate(streamId, (int)streamUnacked);
                streamUnacked = 0;
            }
            if (_connectionUnacked >= ConnectionWindow / 2)
            {
                AppendWindowUpdate(0, (int)_connectionUnacked);
                _connectionUnacked = 0;
            }
        }
    }

    /// <summary>Adds a frame to the write buffer and returns its payload to fill; the caller holds <see cref="Gate"/>.</summary>
    protected Span<byte> AppendFrame(byte type, byte flags, int streamId, int length)
    {
        var frame = Reserve(Http2Frame.HeaderLength + length);
        Http2Frame.WriteHeader(frame, length, type, flags, streamId);
        return frame[Http2Frame.HeaderLength..];
    }

    protected void AppendFrame(byte type, byte flags, int streamId, ReadOnlySpan<byte> payload) =>
        payload.CopyTo(AppendFrame(type, flags, streamId, payload.Length));

    /// <summary>
    /// Sends the write buffer, unless another thread is sending it already (it sends what was
    /// added meanwhile too) or the reader is handling a receive (it sends when done).
    /// </summary>
    protected void Flush()
    {
        lock (Gate)
        {
            if (_flushing || _readerBusy || _pendingLength == 0)
            {
                return;
            }
            _flushing = true;
        }
        SendPending();
    }

    private void AppendWindowUpdate(int streamId, int increment) =>
        BinaryPrimitives.WriteUInt32BigEndian(AppendFrame(Http2Frame.WindowUpdate, 0, streamId, 4), (uint)increment);

    private Span<byte> Reserve(int length)
    {
        if (_pendingLength + length > _pending.Length)
        {
            Array.Resize(ref _pending, Math.Max(_pending.Length * 2, _pendingLength + length));
        }
        var reserved = _pending.AsSpan(_pendingLength, length);
        _pendingLength += length;
        return reserved;
    }

    /// <summary>Sends until the buffer is empty; the caller has set <see cref="_flushing"/>.</summary>
    private void SendPending()
    {
        try
        {
            while (true)
            {
                byte[] sending;
                int length;
                lock (Gate)
                {
                    if (_pendingLength == 0)
                    {
                        _flushing = false;
                        return;
                    }
                    // Others append to the other buffer while this one is on its way.
                    (sending, length) = (_pending, _pendingLength);
                    (_pending, _sending, _pendingLength) = (_sending, sending, 0);
                }
                for (var sent = 0; sent < length;)
                {
                    sent += _socket.Send(sending, sent, length - sent, SocketFlags.None);
                }
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            lock (Gate)
            {
                _pendingLength = 0;
                _flushing = false;
            }
            _failure ??= $"sending failed: {e.Message}";
            // The reader sees the connection end and fails what is outstanding, in one place.
            ShutDown();
        }
    }

    private void ShutDown()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
    }

    private void ReadLoop()
    {
        var buffer = new byte[1024 * 1024];
        var filled = 0;
        string failure;
        try
        {
            while (true)
            {
                var read = _socket.Receive(buffer, filled, buffer.Length - filled, SocketFlags.None);
                if (read == 0)
                {
                    failure = "the server closed the connection";
                    break;
                }
                var receivedAt = Stopwatch.GetTimestamp();
                filled += read;
                lock (Gate)
                {
                    _readerBusy = true;
                }
                var at = 0;
                while (filled - at >= Http2Frame.HeaderLength)
                {
                    var header = buffer.AsSpan(at, Http2Frame.HeaderLength);
                    var length = (header[0] << 16) | (header[1] << 8) | header[2];
                    if (filled - at < Http2Frame.HeaderLength + length)
                    {
                        break;
                    }
                    var streamId = (int)(BinaryPrimitives.ReadUInt32BigEndian(header[5..]) & 0x7FFFFFFF);
                    OnFrame(header[3], header[4], streamId, buffer.AsSpan(at + Http2Frame.HeaderLength, length), receivedAt);
                    at += Http2Frame.HeaderLength + length;
                }
                buffer.AsSpan(at, filled - at).CopyTo(buffer);
                filled -= at;
                EndReceive();
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            failure = e.Message;
        }
        catch (Exception e)
        {
            failure = e.Message;
        }
        _failure ??= failure;
        _serverSettings.TrySetException(new IOException($"the connection stopped before the server's SETTINGS: {_failure}"));
        ShutDown();
        OnStopped(_failure);
    }

    /// <summary>Sends what handling the receive added to the write buffer, in one go.</summary>
    private void EndReceive()
    {
        lock (Gate)
        {
            _readerBusy = false;
            if (_flushing || _pendingLength == 0)
            {
                return;
            }
            _flushing = true;
        }
        SendPending();
    }

    private void OnFrame(byte type, byte flags, int streamId, ReadOnlySpan<byte> payload, long receivedAt)
    {
        switch (type)
        {
            case Http2Frame.Data:
                var counted = payload.Length;
                if ((flags & Http2Frame.Padded) != 0)
                {
                    payload = payload[1..^payload[0]];
                }
                OnData(flags, streamId, payload, counted, receivedAt);
                break;
            case Http2Frame.Headers:
                OnHeaders(streamId, (flags & Http2Frame.EndStream) != 0);
                break;
            case Http2Frame.RstStream:
                OnReset(streamId, BinaryPrimitives.ReadUInt32BigEndian(payload));
                break;
            case Http2Frame.Settings when (flags & Http2Frame.Ack) == 0:
                for (var at = 0; at + 6 <= payload.Length; at += 6)
                {
                    OnSetting(BinaryPrimitives.ReadUInt16BigEndian(payload[at..]), BinaryPrimitives.ReadUInt32BigEndian(payload[(at + 2)..]));
                }
                lock (Gate)
                {
                    AppendFrame(Http2Frame.Settings, Http2Frame.Ack, 0, []);
                }
                _serverSettings.TrySetResult();
                break;
            case Http2Frame.Ping when (flags & Http2Frame.Ack) == 0:
                lock (Gate)
                {
                    AppendFrame(Http2Frame.Ping, Http2Frame.Ack, 0, payload);
                }
                break;
            case Http2Frame.GoAway:
                OnGoAway((int)(BinaryPrimitives.ReadUInt32BigEndian(payload) & 0x7FFFFFFF), BinaryPrimitives.ReadUInt32BigEndian(payload[4..]),
                    Encoding.UTF8.GetString(payload[8..]));
                break;
            case Http2Frame.WindowUpdate:
                OnWindowUpdate(streamId, (int)(BinaryPrimitives.ReadUInt32BigEndian(payload) & 0x7FFFFFFF));
                break;
            default:
                break; // CONTINUATION (of skipped header blocks), PRIORITY, acks, unknown types
        }
    }

    public void Dispose()
    {
        _socket.Dispose();
        if (_reader is { } reader && reader != Thread.CurrentThread)
        {
            reader.Join(TimeSpan.FromSeconds(5));
        }
    }
}
