using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;

namespace Cairn.Server.Hosting.Http2;

/// <summary>
/// The inbound side of an HTTP/2 connection as Kestrel reads it, with header blocks whose
/// <c>:authority</c> Kestrel would refuse repaired on the way (see
/// <see cref="HpackAuthorityRewriter"/>). Bytes pass through untouched and uncopied; the
/// reader only walks frame headers, lets whole frames through (never a part of one), and parses
/// a header block once it is complete. A block that needs repair is held back until Kestrel has
/// consumed what precedes it, then served re-framed from a buffer of its own. Anything
/// malformed (an oversized frame, a stray CONTINUATION) switches the reader to plain pass-through
/// for Kestrel to refuse.
/// </summary>
internal sealed class AuthorityRepairingReader : PipeReader
{
    private const int FrameHeaderLength = 9;
    private const int PrefaceLength = 24;
    private const byte HeadersType = 0x1;
    private const byte ContinuationType = 0x9;
    private const byte EndStreamFlag = 0x1;
    private const byte EndHeadersFlag = 0x4;
    private const byte PaddedFlag = 0x8;
    private const byte PriorityFlag = 0x20;
    private const int PriorityLength = 5;

    private readonly PipeReader _inner;
    private readonly int _maxFrameSize;
    private readonly int _maxHeaderBlock;

    // Stream offsets: _consumed is where the inner buffer starts, _scanned the next frame header to check.
    private long _consumed;
    private long _scanned = PrefaceLength;
    private bool _passThrough;

    private ReadOnlySequence<byte> _innerBuffer;
    private long _presentedLength;
    private bool _heldBack;

    // A repaired block found ahead of what Kestrel has consumed, waiting for its turn...
    private byte[]? _pending;
    private long _pendingEnd;

    // ...and one being served in place of its original frames.
    private byte[]? _replacement;
    private int _replacementOffset;
    private bool _servingReplacement;

    /// <param name="maxFrameSize">The server's SETTINGS_MAX_FRAME_SIZE, for re-framing a repaired block.</param>
    /// <param name="maxHeaderBlock">A block larger than this is not waited for (Kestrel refuses it anyway).</param>
    public AuthorityRepairingReader(PipeReader inner, int maxFrameSize, int maxHeaderBlock)
    {
        _inner = inner;
        _maxFrameSize = maxFrameSize;
        _maxHeaderBlock = maxHeaderBlock;
    }

    public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        if (_replacement is not null)
        {
            return new ValueTask<ReadResult>(ServeReplacement());
        }
        var pending = _inner.ReadAsync(cancellationToken);
        return pending.IsCompletedSuccessfully ? new ValueTask<ReadResult>(Present(pending.Result)) : AwaitAndPresent(pending);
    }

    public override bool TryRead(out ReadResult result)
    {
        if (_replacement is not null)
        {
            result = ServeReplacement();
            return true;
        }
        if (!_inner.TryRead(out var inner))
        {
            result = default;
            return false;
        }
        result = Present(inner);
        return true;
    }

    public override void AdvanceTo(SequencePosition consumed) => AdvanceTo(consumed, consumed);

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
    {
        if (_servingReplacement)
        {
            _servingReplacement = false;
            var served = new ReadOnlySequence<byte>(_replacement!, _replacementOffset, _replacement!.Length - _replacementOffset);
            _replacementOffset += (int)served.Slice(served.Start, consumed).Length;
            if (_replacementOffset >= _replacement.Length)
            {
                _replacement = null;
            }
            return;
        }
        var consumedBytes = _innerBuffer.Slice(0, consumed).Length;
        if (_heldBack && _innerBuffer.Slice(0, examined).Length >= _presentedLength)
        {
            // Kestrel wants more, and so do we: wait for bytes beyond everything the pipe holds.
            examined = _innerBuffer.End;
        }
        _inner.AdvanceTo(consumed, examined);
        _consumed += consumedBytes;
        _innerBuffer = default;
    }

    public override void CancelPendingRead() => _inner.CancelPendingRead();

    public override void Complete(Exception? exception = null) => _inner.Complete(exception);

    public override ValueTask CompleteAsync(Exception? exception = null) => _inner.CompleteAsync(exception);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<ReadResult> AwaitAndPresent(ValueTask<ReadResult> pending) => Present(await pending.ConfigureAwait(false));

    private ReadResult ServeReplacement()
    {
        _servingReplacement = true;
        var remaining = new ReadOnlySequence<byte>(_replacement!, _replacementOffset, _replacement!.Length - _replacementOffset);
        return new ReadResult(remaining, isCanceled: false, isCompleted: false);
    }

    private ReadResult Present(ReadResult result)
    {
        var buffer = result.Buffer;
        _innerBuffer = buffer;
        _heldBack = false;
        _presentedLength = buffer.Length;
        if (_passThrough)
        {
            return result;
        }
        var end = _consumed + buffer.Length;
        var (holdAt, incomplete) = Scan(buffer);
        if (holdAt >= end || _passThrough)
        {
            return result;
        }
        if (result.IsCompleted)
        {
            // The client is done sending; what is left is Kestrel's to judge, whole.
            _passThrough = true;
            return result;
        }
        if (!incomplete && holdAt == _consumed)
        {
            // The block to repair is next: drop its original frames and serve the repaired ones.
            _inner.AdvanceTo(buffer.GetPosition(_pendingEnd - _consumed));
            _consumed = _pendingEnd;
            _scanned = _pendingEnd;
            _innerBuffer = default;
            _replacement = _pending;
            _replacementOffset = 0;
            _pending = null;
            return ServeReplacement();
        }
        _heldBack = incomplete;
        _presentedLength = holdAt - _consumed;
        return new ReadResult(buffer.Slice(0, _presentedLength), result.IsCanceled, isCompleted: false);
    }

    /// <summary>
    /// Walks the frames not yet checked and says where presentation must stop: at the first
    /// frame not yet whole (Kestrel's reader copies bytes, not frames, so nothing of a frame is
    /// let through before all of it can be checked), at a header block still waiting for its
    /// CONTINUATIONs (both "incomplete"), or at a block that needs repair.
    /// </summary>
    private (long HoldAt, bool Incomplete) Scan(ReadOnlySequence<byte> buffer)
    {
        if (_pending is not null)
        {
            return (_scanned, false);
        }
        var end = _consumed + buffer.Length;
        Span<byte> header = stackalloc byte[FrameHeaderLength];
        while (true)
        {
            if (end - _scanned < FrameHeaderLength)
            {
                return (_scanned, _scanned < end);
            }
            buffer.Slice(_scanned - _consumed, FrameHeaderLength).CopyTo(header);
            var length = ReadLength(header);
            if (length > _maxFrameSize)
            {
                // Kestrel answers an oversized frame with FRAME_SIZE_ERROR; do not wait for it.
                _passThrough = true;
                return (end, false);
            }
            var frameEnd = _scanned + FrameHeaderLength + length;
            if (frameEnd > end)
            {
                return (_scanned, true);
            }
            if (header[3] != HeadersType)
            {
                _scanned = frameEnd;
                continue;
            }
            var blockEnd = frameEnd;
            var flags = header[4];
            var endHeaders = (flags & EndHeadersFlag) != 0;
            while (!endHeaders)
            {
                if (blockEnd - _scanned > _maxHeaderBlock)
                {
                    _passThrough = true;
                    return (end, false);
                }
                if (end - blockEnd < FrameHeaderLength)
                {
                    return (_scanned, true);
                }
                buffer.Slice(blockEnd - _consumed, FrameHeaderLength).CopyTo(header);
                if (header[3] != ContinuationType || ReadLength(header) > _maxFrameSize)
                {
                    _passThrough = true;
                    return (end, false);
                }
                endHeaders = (header[4] & EndHeadersFlag) != 0;
                blockEnd += FrameHeaderLength + ReadLength(header);
            }
            if (blockEnd > end)
            {
                return (_scanned, true);
            }
            var replacement = Repair(buffer.Slice(_scanned - _consumed, blockEnd - _scanned), flags);
            if (replacement is not null)
            {
                _pending = replacement;
                _pendingEnd = blockEnd;
                return (_scanned, false);
            }
            _scanned = blockEnd;
        }
    }

    /// <summary>The repaired frames for a whole header block (HEADERS plus CONTINUATIONs), or null.</summary>
    private byte[]? Repair(ReadOnlySequence<byte> frames, byte headersFlags)
    {
        // The usual block is one HEADERS frame in one segment: parse it in place.
        ReadOnlySpan<byte> all = frames.IsSingleSegment ? frames.FirstSpan : frames.ToArray();
        var firstLength = ReadLength(all);
        var payload = all.Slice(FrameHeaderLength, firstLength);
        var padding = 0;
        if ((headersFlags & PaddedFlag) != 0)
        {
            if (payload.Length < 1)
            {
                return null;
            }
            padding = payload[0];
            payload = payload[1..];
        }
        var priority = ReadOnlySpan<byte>.Empty;
        if ((headersFlags & PriorityFlag) != 0)
        {
            if (payload.Length < PriorityLength)
            {
                return null;
            }
            priority = payload[..PriorityLength];
            payload = payload[PriorityLength..];
        }
        if (padding > payload.Length)
        {
            return null;
        }
        var block = payload[..^padding];
        var offset = FrameHeaderLength + firstLength;
        if (offset < all.Length)
        {
            var joined = new List<byte>(all.Length);
            joined.AddRange(block);
            while (offset < all.Length)
            {
                var length = ReadLength(all[offset..]);
                joined.AddRange(all.Slice(offset + FrameHeaderLength, length));
                offset += FrameHeaderLength + length;
            }
            block = joined.ToArray();
        }
        var repaired = HpackAuthorityRewriter.TryRewrite(block);
        return repaired is null
            ? null
            : Frame(repaired, priority, (byte)(headersFlags & (EndStreamFlag | PriorityFlag)), all.Slice(5, 4));
    }

    private byte[] Frame(byte[] block, ReadOnlySpan<byte> priority, byte flags, ReadOnlySpan<byte> streamId)
    {
        var output = new List<byte>(block.Length + priority.Length + (2 * FrameHeaderLength));
        var position = 0;
        var first = true;
        do
        {
            var room = _maxFrameSize - (first ? priority.Length : 0);
            var chunk = Math.Min(room, block.Length - position);
            var last = position + chunk == block.Length;
            var frameFlags = (byte)((first ? flags : 0) | (last ? EndHeadersFlag : 0));
            var length = chunk + (first ? priority.Length : 0);
            output.Add((byte)(length >> 16));
            output.Add((byte)(length >> 8));
            output.Add((byte)length);
            output.Add(first ? HeadersType : ContinuationType);
            output.Add(frameFlags);
            output.AddRange(streamId);
            if (first)
            {
                output.AddRange(priority);
            }
            output.AddRange(block.AsSpan(position, chunk));
            position += chunk;
            first = false;
        }
        while (position < block.Length);
        return output.ToArray();
    }

    private static int ReadLength(ReadOnlySpan<byte> header) => (header[0] << 16) | (header[1] << 8) | header[2];
}
