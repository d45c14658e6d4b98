using System.Buffers.Binary;
using System.Net.Sockets;
using Cairn.Bench.Http2;

namespace Cairn.Bench.Watch;

/// <summary>
/// Watch streams over one hand-framed cleartext HTTP/2 connection (see
/// <see cref="Http2ClientConnection"/>): gRPC-framed create requests on each stream, and the
/// event responses read by the connection's one reader thread, their stamps recorded as they come.
/// </summary>
internal sealed class Http2WatchConnection : Http2ClientConnection
{
    private readonly Dictionary<int, StreamState> _streams = [];
    private readonly LatencyRecorder.Tally _tally;
    private byte[]? _headers;
    private int _nextStreamId = 1;
    private long _createdExpected;
    private long _created;
    private long[] _stamps = new long[64];

    private Http2WatchConnection(Socket socket, Uri target, LatencyRecorder.Tally tally)
        : base(socket, target, "watch fan-out reader")
    {
        _tally = tally;
    }

    public static Task<Http2WatchConnection> ConnectAsync(Uri target, LatencyRecorder.Tally tally) =>
        StartAsync(new Http2WatchConnection(ConnectSocket(target), target, tally));

    /// <summary>Opens a Watch call and creates a watcher on each of <paramref name="keys"/> in it.</summary>
    public void OpenStream(IEnumerable<byte[]> keys)
    {
        lock (Gate)
        {
            _headers ??= HpackLiterals.GrpcRequest("/etcdserverpb.Watch/Watch", Authority);
            int id = _nextStreamId;
            _nextStreamId += 2;
            lock (_streams)
            {
                _streams[id] = new StreamState();
            }
            AppendFrame(Http2Frame.Headers, Http2Frame.EndHeaders, id, _headers);
            foreach (var key in keys)
            {
                Interlocked.Increment(ref _createdExpected);
                AppendFrame(Http2Frame.Data, 0, id, CreateRequest(key));
            }
        }
        Flush();
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

    protected override void OnReset(int streamId, uint errorCode) =>
        throw new InvalidOperationException($"the server reset stream {streamId} ({Http2Frame.ErrorName(errorCode)})");

    protected override void OnGoAway(int lastStreamId, uint errorCode, string debug) =>
        throw new InvalidOperationException($"the server sent GOAWAY ({Http2Frame.ErrorName(errorCode)})");

    protected override void OnData(byte flags, int streamId, ReadOnlySpan<byte> data, int counted, long receivedAt)
    {
        StreamState stream;
        lock (_streams)
        {
            stream = _streams[streamId];
        }
        stream.Append(data, this, receivedAt);
        Replenish(streamId, ref stream.Unacked, counted);
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
