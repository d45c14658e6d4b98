using System.Net.Sockets;

namespace Cairn.Bench.Http2;

/// <summary>
/// Many concurrent unary gRPC calls over one hand-framed cleartext HTTP/2 connection (see
/// <see cref="Http2ClientConnection"/>): each call a new stream of one HEADERS and the request's
/// DATA with END_STREAM; the reader gathers each stream's response DATA and completes its call
/// when the stream ends. Calls wait in line, in order, while the server's
/// SETTINGS_MAX_CONCURRENT_STREAMS are open or its connection window cannot take the request.
/// </summary>
internal sealed class Http2UnaryConnection : Http2ClientConnection
{
    private readonly Dictionary<int, Http2UnaryCall> _open = [];
    private readonly Queue<Http2UnaryCall> _waiting = new();
    private int _nextStreamId = 1;
    private int _maxConcurrentStreams = int.MaxValue;
    private int _maxFrameSize = Http2Frame.DefaultMaxFrameSize;
    private long _streamSendWindow = Http2Frame.DefaultWindow;
    private long _connectionSendWindow = Http2Frame.DefaultWindow;
    private string? _refusal;

    private Http2UnaryConnection(Socket socket, Uri target)
        : base(socket, target, "unary HTTP/2 reader")
    {
    }

    public static Task<Http2UnaryConnection> ConnectAsync(Uri target) =>
        StartAsync(new Http2UnaryConnection(ConnectSocket(target), target));

    /// <summary>The header block of calls to <paramref name="path"/> on this connection.</summary>
    public byte[] RequestHeaders(string path, TimeSpan? timeout) =>
        HpackLiterals.GrpcRequest(path, Authority, timeout is { } t ? Cairn.Server.Grpc.GrpcTimeout.Format(t) : null);

    /// <summary>Sends the call's request as it is now; completes when its response has come (or not).</summary>
    public ValueTask CallAsync(Http2UnaryCall call)
    {
        var token = call.Prepare();
        string? refusal;
        lock (Gate)
        {
            refusal = _refusal ?? (call.Request.Length > _streamSendWindow
                ? $"a request of {call.Request.Length} bytes does not fit the server's stream window ({_streamSendWindow})"
                : null);
            if (refusal is null)
            {
                if (_waiting.Count == 0 && CanOpen(call))
                {
                    Open(call);
                }
                else
                {
                    _waiting.Enqueue(call);
                }
            }
        }
        if (refusal is not null)
        {
            return ValueTask.FromException(new IOException(refusal));
        }
        Flush();
        return new ValueTask(call, token);
    }

    private bool CanOpen(Http2UnaryCall call) =>
        _open.Count < _maxConcurrentStreams && call.Request.Length <= _connectionSendWindow;

    /// <summary>Starts the call's stream in the write buffer; the caller holds the gate.</summary>
    private void Open(Http2UnaryCall call)
    {
        var id = _nextStreamId;
        _nextStreamId += 2;
        if (_nextStreamId < 0)
        {
            _refusal = "the connection has used up its stream IDs";
        }
        _open.Add(id, call);
        var request = call.Request;
        _connectionSendWindow -= request.Length;
        AppendFrame(Http2Frame.Headers, Http2Frame.EndHeaders, id, call.Headers);
        while (request.Length > _maxFrameSize)
        {
            AppendFrame(Http2Frame.Data, 0, id, request[.._maxFrameSize]);
            request = request[_maxFrameSize..];
        }
        AppendFrame(Http2Frame.Data, Http2Frame.EndStream, id, request);
    }

    /// <summary>Opens the calls waiting in line while the server's limits allow; the caller holds the gate.</summary>
    private void OpenWaiting()
    {
        while (_waiting.Count > 0 && _refusal is null && CanOpen(_waiting.Peek()))
        {
            Open(_waiting.Dequeue());
        }
    }

    protected override void OnData(byte flags, int streamId, ReadOnlySpan<byte> data, int counted, long receivedAt)
    {
        Http2UnaryCall? call;
        lock (Gate)
        {
            _open.TryGetValue(streamId, out call);
        }
        if (call is null)
        {
            // A stream failed already (GOAWAY): its bytes still count against the connection's window.
            long ignored = 0;
            Replenish(streamId, ref ignored, counted);
            return;
        }
        call.Append(data);
        Replenish(streamId, ref call.Unacked, counted);
        if ((flags & Http2Frame.EndStream) != 0)
        {
            End(streamId, null);
        }
    }

    protected override void OnHeaders(int streamId, bool endStream)
    {
        if (endStream)
        {
            End(streamId, null);
        }
    }

    protected override void OnReset(int streamId, uint errorCode) =>
        End(streamId, new IOException($"the server reset the stream ({Http2Frame.ErrorName(errorCode)})"));

    /// <summary>The stream is over: its call completes, and one waiting in line may take its place.</summary>
    private void End(int streamId, Exception? failure)
    {
        Http2UnaryCall? call;
        lock (Gate)
        {
            if (!_open.Remove(streamId, out call))
            {
                return;
            }
            OpenWaiting();
        }
        call.Complete(failure);
    }

    protected override void OnWindowUpdate(int streamId, int increment)
    {
        if (streamId != 0)
        {
            return; // every stream sent its whole request when it opened
        }
        lock (Gate)
        {
            _connectionSendWindow += increment;
            OpenWaiting();
        }
    }

    protected override void OnSetting(ushort id, uint value)
    {
        lock (Gate)
        {
            switch (id)
            {
                case Http2Frame.MaxConcurrentStreamsSetting:
                    _maxConcurrentStreams = (int)Math.Min(value, int.MaxValue);
                    break;
                case Http2Frame.InitialWindowSizeSetting:
                    _streamSendWindow = value;
                    break;
                case Http2Frame.MaxFrameSizeSetting:
                    _maxFrameSize = (int)value;
                    break;
                default:
                    return;
            }
            OpenWaiting();
        }
    }

    /// <summary>
    /// The server will take no new stream: those above its last stream ID and those waiting in
    /// line fail now (it did not and will not process them); those below may still complete.
    /// </summary>
    protected override void OnGoAway(int lastStreamId, uint errorCode, string debug)
    {
        var reason = $"the server sent GOAWAY ({Http2Frame.ErrorName(errorCode)}{(debug.Length > 0 ? ": " + debug : "")})";
        List<Http2UnaryCall> failed;
        lock (Gate)
        {
            _refusal ??= reason;
            failed = [.. _waiting];
            _waiting.Clear();
            foreach (var id in _open.Keys.Where(id => id > lastStreamId).ToList())
            {
                failed.Add(_open[id]);
                _open.Remove(id);
            }
        }
        Fail(failed, reason);
    }

    protected override void OnStopped(string failure)
    {
        List<Http2UnaryCall> failed;
        lock (Gate)
        {
            _refusal ??= $"the connection stopped: {failure}";
            failed = [.. _open.Values, .. _waiting];
            _open.Clear();
            _waiting.Clear();
        }
        Fail(failed, $"the connection stopped: {failure}");
    }

    private static void Fail(List<Http2UnaryCall> calls, string reason)
    {
        foreach (var call in calls)
        {
            call.Complete(new IOException(reason));
        }
    }
}
