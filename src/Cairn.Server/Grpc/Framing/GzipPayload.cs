using System.Buffers;
using System.IO.Compression;

namespace Cairn.Server.Grpc.Framing;

/// <summary>Decompresses one gzip message payload without ever holding more than the limit allows.</summary>
internal static class GzipPayload
{
    /// <summary>
    /// Inflates <paramref name="payload"/> into a pooled array. Returns the inflated size, or
    /// <c>limit + 1</c> when it is larger than <paramref name="limit"/> (reading stops there).
    /// </summary>
    public static int Decompress(ReadOnlySequence<byte> payload, int limit, out byte[] rented)
    {
        var capacity = (int)Math.Min((long)limit + 1, Math.Max(256, payload.Length * 4));
        rented = ArrayPool<byte>.Shared.Rent(capacity);
        try
        {
            using var source = new GZipStream(new SequenceStream(payload), CompressionMode.Decompress);
            var total = 0;
            while (true)
            {
                if (total == rented.Length)
                {
                    if (total > limit)
                    {
                        return total;
                    }
                    var bigger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)limit + 1, (long)rented.Length * 2));
                    rented.AsSpan(0, total).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(rented);
                    rented = bigger;
                }
                var want = (int)Math.Min(rented.Length - total, (long)limit + 1 - total);
                var read = source.Read(rented, total, want);
                if (read == 0)
                {
                    return total;
                }
                total += read;
                if (total > limit)
                {
                    return total;
                }
            }
        }
        catch (InvalidDataException e)
        {
            throw new GrpcException(GrpcStatusCode.Internal, $"grpc: failed to decompress the received message {e.Message}", null, e);
        }
    }

    /// <summary>A read-only stream over a sequence, so GZipStream can read it without a copy.</summary>
    private sealed class SequenceStream(ReadOnlySequence<byte> sequence) : Stream
    {
        private ReadOnlySequence<byte> _remaining = sequence;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var n = (int)Math.Min(buffer.Length, _remaining.Length);
            _remaining.Slice(0, n).CopyTo(buffer);
            _remaining = _remaining.Slice(n);
            return n;
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
