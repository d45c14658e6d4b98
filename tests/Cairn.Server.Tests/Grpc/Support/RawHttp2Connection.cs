using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;

namespace Cairn.Server.Tests.Grpc.Support;

/// <summary>
/// A bare HTTP/2 client over a socket, for sending what no well-behaved client would: broken
/// frames, broken HPACK, hand-made header blocks, connections dropped mid-stream. Header blocks
/// are written with raw (non-Huffman) literals; responses are read as frames, not decoded.
/// </summary>
internal sealed class RawHttp2Connection : IAsyncDisposable
{
    public const byte Data = 0x0, Headers = 0x1, RstStream = 0x3, Settings = 0x4, Ping = 0x6, GoAway = 0x7, WindowUpdate = 0x8, Continuation = 0x9;
    public const byte EndStream = 0x1, EndHeaders = 0x4;

    private readonly TcpClient _client;
    private readonly NetworkStream _stream;

    private RawHttp2Connection(TcpClient client)
    {
        _client = client;
        _stream = client.GetStream();
    }

    public static async Task<RawHttp2Connection> ConnectAsync(int port, bool sendPreface = true)
    {
        var client = new TcpClient();
        await client.ConnectAsync(System.Net.IPAddress.Loopback, port);
        var connection = new RawHttp2Connection(client);
        if (sendPreface)
        {
            await connection.WriteAsync("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray());
            await connection.WriteFrameAsync(Settings, 0, 0, []);
        }
        return connection;
    }

    public Task WriteAsync(byte[] bytes) => _stream.WriteAsync(bytes).AsTask();

    public Task WriteFrameAsync(byte type, byte flags, int streamId, byte[] payload) => WriteAsync(Frame(type, flags, streamId, payload));

    public static byte[] Frame(byte type, byte flags, int streamId, byte[] payload)
    {
        var frame = new byte[9 + payload.Length];
        frame[0] = (byte)(payload.Length >> 16);
        frame[1] = (byte)(payload.Length >> 8);
        frame[2] = (byte)payload.Length;
        frame[3] = type;
        frame[4] = flags;
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(5), streamId);
        payload.CopyTo(frame, 9);
        return frame;
    }

    /// <summary>A POST request header block for a gRPC call, each field a raw literal without indexing.</summary>
    public static byte[] GrpcRequestBlock(string path, int port, params (string Name, string Value)[] extra)
    {
        var block = new List<byte> { 0x83, 0x86 }; // :method POST, :scheme http (static table)
        AddLiteral(block, ":path", path, indexed: false);
        AddLiteral(block, ":authority", $"127.0.0.1:{port}", indexed: false);
        AddLiteral(block, "content-type", "application/grpc", indexed: false);
        AddLiteral(block, "te", "trailers", indexed: false);
        foreach (var (name, value) in extra)
        {
            AddLiteral(block, name, value, indexed: false);
        }
        return block.ToArray();
    }

    /// <summary>A literal field with a literal name: with incremental indexing (0x40) or without (0x00).</summary>
    public static void AddLiteral(List<byte> block, string name, string value, bool indexed)
    {
        block.Add(indexed ? (byte)0x40 : (byte)0x00);
        AddString(block, name);
        AddString(block, value);
    }

    public static void AddString(List<byte> block, string value)
    {
        var bytes = Encoding.ASCII.GetBytes(value);
        if (bytes.Length >= 127)
        {
            throw new ArgumentException("test strings stay below 127 bytes");
        }
        block.Add((byte)bytes.Length);
        block.AddRange(bytes);
    }

    /// <summary>A gRPC message: flag byte, 4-byte length, payload.</summary>
    public static byte[] GrpcMessage(byte[] payload, byte flag = 0)
    {
        var message = new byte[5 + payload.Length];
        message[0] = flag;
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(1), (uint)payload.Length);
        payload.CopyTo(message, 5);
        return message;
    }

    /// <summary>The next frame, or null when the server closed the connection. SETTINGS are acknowledged.</summary>
    public async Task<(byte Type, byte Flags, int StreamId, byte[] Payload)?> ReadFrameAsync(CancellationToken cancellationToken = default)
    {
        var header = new byte[9];
        if (!await ReadExactlyOrEndAsync(header, cancellationToken))
        {
            return null;
        }
        var length = (header[0] << 16) | (header[1] << 8) | header[2];
        var payload = new byte[length];
        if (!await ReadExactlyOrEndAsync(payload, cancellationToken))
        {
            return null;
        }
        var frame = (header[3], header[4], BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(5)) & 0x7FFFFFFF, payload);
        if (frame.Item1 == Settings && (frame.Item2 & 0x1) == 0)
        {
            await WriteFrameAsync(Settings, 0x1, 0, []);
        }
        return frame;
    }

    /// <summary>Reads until the stream ends (END_STREAM or RST_STREAM) or the connection does.</summary>
    public async Task<StreamOutcome> ReadStreamAsync(int streamId, TimeSpan? timeout = null)
    {
        using var limit = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        var data = new List<byte>();
        var headerBlocks = 0;
        while (true)
        {
            var frame = await ReadFrameAsync(limit.Token);
            if (frame is null)
            {
                return new StreamOutcome(headerBlocks, data.ToArray(), null, ConnectionClosed: true, GoAwayCode: null);
            }
            var (type, flags, id, payload) = frame.Value;
            if (type == GoAway)
            {
                return new StreamOutcome(headerBlocks, data.ToArray(), null, ConnectionClosed: true, BinaryPrimitives.ReadInt32BigEndian(payload.AsSpan(4)));
            }
            if (id != streamId)
            {
                continue;
            }
            if (type == RstStream)
            {
                return new StreamOutcome(headerBlocks, data.ToArray(), BinaryPrimitives.ReadInt32BigEndian(payload), false, null);
            }
            if (type == Headers)
            {
                headerBlocks++;
            }
            if (type == Data)
            {
                data.AddRange(payload);
            }
            if ((type == Headers || type == Data) && (flags & EndStream) != 0)
            {
                return new StreamOutcome(headerBlocks, data.ToArray(), null, false, null);
            }
        }
    }

    /// <summary>Whatever bytes come next (for HTTP/1.1 answers).</summary>
    public async Task<int> ReadRawAsync(byte[] buffer)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await _stream.ReadAsync(buffer, limit.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _client.Dispose();
    }

    private async Task<bool> ReadExactlyOrEndAsync(byte[] buffer, CancellationToken cancellationToken)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            int n;
            try
            {
                n = await _stream.ReadAsync(buffer.AsMemory(read), cancellationToken);
            }
            catch (IOException)
            {
                return false;
            }
            if (n == 0)
            {
                return false;
            }
            read += n;
        }
        return true;
    }

    /// <summary>How a stream ended: header blocks and data seen, a reset code, or the connection's end.</summary>
    public sealed record StreamOutcome(int HeaderBlocks, byte[] Data, int? ResetCode, bool ConnectionClosed, int? GoAwayCode);
}
