using System.Buffers.Binary;
using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Cairn.Bench.Watch;

/// <summary>
/// Watch streams over one cleartext HTTP/2 connection, framed by hand and read by one thread
/// with blocking receives: the cheapest reader of many event responses this machine can run.
/// The fan-out benchmark shares two cores with the server it measures, and through HttpClient's
/// HTTP/2 (a wake-up of a reader task per response, a copy per stream) the client spent more
/// CPU per event than either server did sending it, which capped both and hid their difference.
/// It speaks only what a watch client needs: its own SETTINGS and window updates (large windows,
/// replenished at half), request HEADERS as HPACK literals (so the server's decoder table never
/// changes), gRPC-framed create requests; it answers SETTINGS and PING and skips the server's
/// header blocks (it never decodes them, so their HPACK table does not matter).
/// </summary>
internal sealed class Http2WatchConnection : IDisposable
{
    private const int FrameHeaderLength = 9;
    private const byte Data = 0x0, Headers = 0x1, RstStream = 0x3, Settings = 0x4, Ping = 0x6, GoAway = 0x7, WindowUpdate = 0x8;
    private const byte EndHeaders = 0x4, Padded = 0x8, Ack = 0x1;
    private const int StreamWindow = 4 * 1024 * 1024;
    private const int ConnectionWindow = 64 * 1024 * 1024;
    private const int DefaultWindow = 65535;

    private readonly Socket _socket;
    private readonly string _authority;
    private readonly object _sendGate = new();
    private readonly Dictionary<int, StreamState> _streams = [];
    private readonly LatencyRecorder.Tally _tally;
    private Thread? _reader;
    private int _nextStreamId = 1;
    private long _createdExpected;
    private long _created;
    private long _connectionUnacked;
    private long[] _stamps = new long[64];

    private Http2WatchConnection(Socket socket, string authority, LatencyRecorder.Tally tally)
    {
        _socket = socket;
        _authority = authority;
        _tally = tally;
    }

    /// <summary>Why reading stopped, when it stopped on its own (the server closed a stream or the connection).</summary>
    public string? Failure { get; private set; }

    public static async Task<Http2WatchConnection> ConnectAsync(Uri target, LatencyRecorder.Tally tally)
    {
        if (target.Scheme != "http")
        {
            throw new ArgumentException($"the watch fan-out client speaks cleartext HTTP/2 only, not {target.Scheme}");
        }
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(target.Host, target.Port).ConfigureAwait(false);
        var connection = new Http2WatchConnection(socket, $"{target.Host}:{target.Port}", tally);
        connection.Start();
        return connection;
    }

    private void Start()
    {
        var preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8;
        Span<byte> settings = stackalloc byte[12];
        BinaryPrimitives.WriteUInt16BigEndian(settings, 0x2);           // ENABLE_PUSH
        BinaryPrimitives.WriteUInt32BigEndian(settings[2..], 0);
        BinaryPrimitives.WriteUInt16BigEndian(settings[6..], 0x4);      // INITIAL_WINDOW_SIZE
        BinaryPrimitives.WriteUInt32BigEndian(settings[8..], StreamWindow);
        lock (_sendGate)
        {
            SendAll(preface);
            SendFrame(Settings, 0, 0, settings);
            SendWindowUpdate(0, ConnectionWindow - DefaultWindow);
        }
        _reader = new Thread(ReadLoop) { IsBackground = true, Name = "watch fan-out reader" };
        _reader.Start();
    }

    /// <summary>Opens a Watch call and creates a watcher on each of <paramref name="keys"/> in it.</summary>
    public void OpenStream(IEnumerable<byte[]> keys)
    {
        var block = new List<byte>();
        void Literal(string name, string value)
        {
            block.Add(0x00); // literal header field without indexing, new name
            block.Add(checked((byte)name.Length));
            block.AddRange(Encoding.ASCII.GetBytes(name));
            block.Add(checked((byte)value.Length));
            block.AddRange(Encoding.ASCII.GetBytes(value));
        }
        Literal(":method", "POST");
        Literal(":scheme", "http");
        Literal(":path", "/etcdserverpb.Watch/Watch");
        Literal(":authority", _authority);
        Literal("content-type", "application/grpc");
        Literal("te", "trailers");

        lock (_sendGate)
        {
            int id = _nextStreamId;
            _nextStreamId += 2;
            lock (_streams)
            {
                _streams[id] = new StreamState();
            }
            SendFrame(Headers, EndHeaders, id, [.. block]);
            foreach (var key in keys)
            {
                Interlocked.Increment(ref _createdExpected);
                SendFrame(Data, 0, id, CreateRequest(key));
            }
        }
    }

    /// <summary>Completes when every watcher asked for so far has its created response.</summary>
    public async Task WaitCreatedAsync()
    {
        while (Interlocked.Read(ref _created) < Interlocked.Read(ref _createdExpected))
        {
            if (Failure is { } failure)
            {
                throw new InvalidOperationException($"watch connection stopped: {failure}");
            }
            await Task.Delay(10).ConfigureAwait(false);
        }
    }

    /// <summary>A gRPC message holding <c>WatchRequest{create_request{key}}</c>.</summary>
    private static byte[] CreateRequest(byte[] key)
    {
        int inner = 1 + VarintLength(key.Length) + key.Length;
        int outer = 1 + VarintLength(inner) + inner;
        var message = new byte[5 + outer];
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(1), (uint)outer);
        int at = 5;
        message[at++] = 0x0A; // WatchRequest.create_request
        at = WriteVarint(message, at, inner);
        message[at++] = 0x0A; // WatchCreateRequest.key
        at = WriteVarint(message, at, key.Length);
        key.CopyTo(message, at);
        return message;
    }

    private static int VarintLength(int value) => value < 0x80 ? 1 : value < 0x4000 ? 2 : 3;

    private static int WriteVarint(byte[] buffer, int at, int value)
    {
        while (value >= 0x80)
        {
            buffer[at++] = (byte)(value | 0x80);
            value >>= 7;
        }
        buffer[at++] = (byte)value;
        return at;
    }

    private void ReadLoop()
    {
        var buffer = new byte[1024 * 1024];
        int filled = 0;
        try
        {
            while (true)
            {
                int read = _socket.Receive(buffer, filled, buffer.Length - filled, SocketFlags.None);
                if (read == 0)
                {
                    Failure ??= "the server closed the connection";
                    return;
                }
                long receivedAt = Stopwatch.GetTimestamp();
                filled += read;
                int at = 0;
                while (filled - at >= FrameHeaderLength)
                {
                    var header = buffer.AsSpan(at, FrameHeaderLength);
                    int length = (header[0] << 16) | (header[1] << 8) | header[2];
                    if (filled - at < FrameHeaderLength + length)
                    {
                        break;
                    }
                    byte type = header[3], flags = header[4];
                    int streamId = (int)(BinaryPrimitives.ReadUInt32BigEndian(header[5..]) & 0x7FFFFFFF);
                    OnFrame(type, flags, streamId, buffer.AsSpan(at + FrameHeaderLength, length), receivedAt);
                    at += FrameHeaderLength + length;
                }
                buffer.AsSpan(at, filled - at).CopyTo(buffer);
                filled -= at;
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            Failure ??= e.Message;
        }
        catch (Exception e)
        {
            Failure = e.Message;
        }
    }

    private void OnFrame(byte type, byte flags, int streamId, ReadOnlySpan<byte> payload, long receivedAt)
    {
        switch (type)
        {
            case Data:
                OnData(flags, streamId, payload, receivedAt);
                break;
            case Settings when (flags & Ack) == 0:
                lock (_sendGate)
                {
                    SendFrame(Settings, Ack, 0, []);
                }
                break;
            case Ping when (flags & Ack) == 0:
                lock (_sendGate)
                {
                    SendFrame(Ping, Ack, 0, payload);
                }
                break;
            case RstStream:
                throw new InvalidOperationException($"the server reset stream {streamId} (error {BinaryPrimitives.ReadUInt32BigEndian(payload)})");
            case GoAway:
                throw new InvalidOperationException($"the server sent GOAWAY (error {BinaryPrimitives.ReadUInt32BigEndian(payload[4..])})");
            default:
                break; // header blocks (responses, trailers), window updates, acks
        }
    }

    private void OnData(byte flags, int streamId, ReadOnlySpan<byte> payload, long receivedAt)
    {
        int counted = payload.Length;
        if ((flags & Padded) != 0)
        {
            payload = payload[1..^payload[0]];
        }
        StreamState stream;
        lock (_streams)
        {
            stream = _streams[streamId];
        }
        stream.Append(payload, this, receivedAt);

        stream.Unacked += counted;
        _connectionUnacked += counted;
        if (stream.Unacked >= StreamWindow / 2 || _connectionUnacked >= ConnectionWindow / 2)
        {
            lock (_sendGate)
            {
                if (stream.Unacked >= StreamWindow / 2)
                {
                    SendWindowUpdate(streamId, (int)stream.Unacked);
                    stream.Unacked = 0;
                }
                if (_connectionUnacked >= ConnectionWindow / 2)
                {
                    SendWindowUpdate(0, (int)_connectionUnacked);
                    _connectionUnacked = 0;
                }
            }
        }
    }

    /// <summary>One whole gRPC message of a stream: a watch response.</summary>
    private void OnMessage(ReadOnlySpan<byte> message, long receivedAt)
    {
        int count = 0;
        if (WatchStamps.Read(message, ref _stamps, ref count))
        {
            Interlocked.Increment(ref _created);
        }
        if (count > 0)
        {
            _tally.Record(_stamps.AsSpan(0, count), receivedAt);
        }
    }

    private void SendWindowUpdate(int streamId, int increment)
    {
        Span<byte> payload = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(payload, (uint)increment);
        SendFrame(WindowUpdate, 0, streamId, payload);
    }

    private void SendFrame(byte type, byte flags, int streamId, ReadOnlySpan<byte> payload)
    {
        var frame = new byte[FrameHeaderLength + payload.Length];
        frame[0] = (byte)(payload.Length >> 16);
        frame[1] = (byte)(payload.Length >> 8);
        frame[2] = (byte)payload.Length;
        frame[3] = type;
        frame[4] = flags;
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(5), (uint)streamId);
        payload.CopyTo(frame.AsSpan(FrameHeaderLength));
        SendAll(frame);
    }

    private void SendAll(ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            bytes = bytes[_socket.Send(bytes)..];
        }
    }

    public void Dispose()
    {
        _socket.Dispose();
        _reader?.Join(TimeSpan.FromSeconds(5));
    }

    /// <summary>The gRPC messages of one stream, put back together from its DATA frames.</summary>
    private sealed class StreamState
    {
        private byte[] _partial = new byte[16 * 1024];
        private int _partialLength;

        public long Unacked;

        /// <summary>Hands each whole message in <paramref name="data"/> (after what was left over) to the connection.</summary>
        public void Append(ReadOnlySpan<byte> data, Http2WatchConnection connection, long receivedAt)
        {
            while (!data.IsEmpty)
            {
                if (_partialLength == 0)
                {
                    // Whole messages straight from the frame; only a message it ends inside is copied.
                    while (data.Length >= 5 && data.Length >= 5 + MessageLength(data))
                    {
                        int length = MessageLength(data);
                        connection.OnMessage(data.Slice(5, length), receivedAt);
                        data = data[(5 + length)..];
                    }
                    Keep(data);
                    return;
                }
                // Complete the prefix, then the body, of the message begun in an earlier frame.
                int wanted = _partialLength < 5 ? 5 : 5 + MessageLength(_partial);
                int take = Math.Min(wanted - _partialLength, data.Length);
                Keep(data[..take]);
                data = data[take..];
                if (_partialLength >= 5 && _partialLength == 5 + MessageLength(_partial))
                {
                    connection.OnMessage(_partial.AsSpan(5, _partialLength - 5), receivedAt);
                    _partialLength = 0;
                }
            }
        }

        private static int MessageLength(ReadOnlySpan<byte> prefixed) => checked((int)BinaryPrimitives.ReadUInt32BigEndian(prefixed[1..]));

        private void Keep(ReadOnlySpan<byte> bytes)
        {
            if (_partialLength + bytes.Length > _partial.Length)
            {
                Array.Resize(ref _partial, Math.Max(_partial.Length * 2, _partialLength + bytes.Length));
            }
            bytes.CopyTo(_partial.AsSpan(_partialLength));
            _partialLength += bytes.Length;
        }
    }
}
