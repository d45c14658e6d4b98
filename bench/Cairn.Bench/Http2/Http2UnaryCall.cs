using System.Buffers.Binary;
using System.Threading.Tasks.Sources;

namespace Cairn.Bench.Http2;

/// <summary>
/// One caller's unary gRPC call, made again and again on an <see cref="Http2UnaryConnection"/>:
/// the request framed in a buffer the call keeps, the response's DATA gathered in another, and
/// the completion awaited as a <see cref="ValueTask"/> on the call itself, so that a call costs no
/// allocation beyond what parsing the response needs.
/// <para>
/// Completion runs the awaiting caller inline, on the connection's reader thread (no hop to the
/// thread pool): the caller checks the response there and starts its next call, which the reader
/// sends with the rest of what its receive caused. A caller must therefore not block.
/// </para>
/// <para>
/// Success is a stream that ended after exactly one whole, uncompressed gRPC message, which
/// <see cref="OnResponse"/> accepts. The trailers are not decoded (so neither is grpc-status):
/// a unary call that fails ends without a message (trailers only), in etcd and in cairn alike;
/// a stream reset, or ended with no message, a partial one or two, fails the call.
/// </para>
/// </summary>
internal abstract class Http2UnaryCall : IValueTaskSource
{
    private ManualResetValueTaskSourceCore<bool> _completion = new() { RunContinuationsAsynchronously = false };
    private byte[] _request = new byte[512];
    private int _requestLength;
    private byte[] _response = new byte[1024];
    private int _responseLength;

    protected Http2UnaryCall(byte[] headers) => Headers = headers;

    /// <summary>The HPACK block of the request's headers (literals only, so any stream can send it).</summary>
    public byte[] Headers { get; }

    /// <summary>The request as DATA: the 5-byte gRPC prefix and the message.</summary>
    public ReadOnlySpan<byte> Request => _request.AsSpan(0, _requestLength);

    /// <summary>Received bytes not yet given back to the server's stream window.</summary>
    public long Unacked;

    /// <summary>The size of the request message now.</summary>
    protected abstract int MessageSize();

    protected abstract void WriteMessage(Span<byte> destination);

    /// <summary>Checks the response message; throws when it is not a right answer.</summary>
    protected abstract void OnResponse(ReadOnlySpan<byte> message);

    /// <summary>Frames the request as it is now and readies the completion; returns its token.</summary>
    public short Prepare()
    {
        var size = MessageSize();
        if (5 + size > _request.Length)
        {
            _request = new byte[Math.Max(_request.Length * 2, 5 + size)];
        }
        _request[0] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(_request.AsSpan(1), (uint)size);
        WriteMessage(_request.AsSpan(5, size));
        _requestLength = 5 + size;
        _responseLength = 0;
        Unacked = 0;
        _completion.Reset();
        return _completion.Version;
    }

    /// <summary>Response DATA, on the reader thread.</summary>
    public void Append(ReadOnlySpan<byte> data)
    {
        if (_responseLength + data.Length > _response.Length)
        {
            Array.Resize(ref _response, Math.Max(_response.Length * 2, _responseLength + data.Length));
        }
        data.CopyTo(_response.AsSpan(_responseLength));
        _responseLength += data.Length;
    }

    /// <summary>The stream ended (<paramref name="failure"/> null) or failed; runs the caller's continuation.</summary>
    public void Complete(Exception? failure)
    {
        failure ??= MessageProblem();
        if (failure is null)
        {
            _completion.SetResult(true);
        }
        else
        {
            _completion.SetException(failure);
        }
    }

    /// <summary>What keeps the received DATA from being one whole uncompressed message, or null.</summary>
    private IOException? MessageProblem()
    {
        if (_responseLength == 0)
        {
            return new IOException("the call ended without a response message (a gRPC error: its status is not decoded here; --client grpc shows it)");
        }
        if (_responseLength < 5 || 5 + (long)BinaryPrimitives.ReadUInt32BigEndian(_response.AsSpan(1)) != _responseLength)
        {
            return new IOException($"the call ended with {_responseLength} bytes of DATA that are not one gRPC message");
        }
        return _response[0] == 0 ? null : new IOException("the response message is compressed, which was not asked for");
    }

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _completion.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _completion.OnCompleted(continuation, state, token, flags);

    void IValueTaskSource.GetResult(short token)
    {
        _completion.GetResult(token);
        OnResponse(_response.AsSpan(5, _responseLength - 5));
    }
}
