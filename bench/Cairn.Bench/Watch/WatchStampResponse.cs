using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Cairn.Bench.Watch;

/// <summary>
/// A <c>WatchResponse</c> read for what the fan-out benchmark needs and nothing more: whether it
/// is a created response and, per event, the send stamp the value starts with. The client shares
/// the machine with the server it measures, so every microsecond it spends per event is taken
/// from the server; a full parse (a response, a header, an event, a key-value, key and value
/// copies per event) cost the client more CPU than the server spent sending. This walks the same
/// bytes with one allocation per event (the value) and none per field.
/// </summary>
internal sealed class WatchStampResponse : ReadOnlyMessage<WatchStampResponse>
{
    private const uint HeaderTag = 10;   // field 1, ResponseHeader
    private const uint CreatedTag = 24;  // field 3, bool
    private const uint EventTag = 90;    // field 11, repeated mvccpb.Event

    private readonly StampedEvent _event = new();
    private long[] _stamps = new long[1];

    public static MessageParser<WatchStampResponse> Parser { get; } = new(() => new WatchStampResponse());

    public bool Created { get; private set; }

    /// <summary>Send stamps of the events, in order (events whose value is too short for one are left out).</summary>
    public ReadOnlySpan<long> Stamps => _stamps.AsSpan(0, StampCount);

    private int StampCount { get; set; }

    protected override void Read(ref ParseContext ctx)
    {
        uint tag;
        while ((tag = ctx.ReadTag()) != 0)
        {
            switch (tag)
            {
                case HeaderTag:
                    ctx.ReadMessage(VarintFields.Instance);
                    break;
                case CreatedTag:
                    Created = ctx.ReadBool();
                    break;
                case EventTag:
                    _event.Stamp = null;
                    ctx.ReadMessage(_event);
                    if (_event.Stamp is long stamp)
                    {
                        if (StampCount == _stamps.Length)
                        {
                            Array.Resize(ref _stamps, _stamps.Length * 2);
                        }
                        _stamps[StampCount++] = stamp;
                    }
                    break;
                default:
                    SkipScalar(ref ctx, tag);
                    break;
            }
        }
    }

    /// <summary>Skips a field the benchmark does not read.</summary>
    internal static void SkipScalar(ref ParseContext ctx, uint tag)
    {
        switch (WireFormat.GetTagWireType(tag))
        {
            case WireFormat.WireType.Varint:
                ctx.ReadUInt64();
                break;
            case WireFormat.WireType.LengthDelimited:
                ctx.ReadBytes();
                break;
            case WireFormat.WireType.Fixed64:
                ctx.ReadFixed64();
                break;
            case WireFormat.WireType.Fixed32:
                ctx.ReadFixed32();
                break;
            default:
                throw new InvalidDataException($"unexpected wire type in tag {tag}");
        }
    }

    /// <summary>An <c>mvccpb.Event</c>: only its key-value's value is read.</summary>
    private sealed class StampedEvent : ReadOnlyMessage<StampedEvent>
    {
        private const uint KvTag = 18; // field 2, mvccpb.KeyValue

        private readonly StampedKeyValue _kv = new();

        public long? Stamp { get; set; }

        protected override void Read(ref ParseContext ctx)
        {
            uint tag;
            while ((tag = ctx.ReadTag()) != 0)
            {
                if (tag == KvTag)
                {
                    _kv.Stamp = null;
                    ctx.ReadMessage(_kv);
                    Stamp = _kv.Stamp;
                }
                else
                {
                    SkipScalar(ref ctx, tag);
                }
            }
        }
    }

    /// <summary>An <c>mvccpb.KeyValue</c>: the first 8 bytes of the value, little-endian.</summary>
    private sealed class StampedKeyValue : ReadOnlyMessage<StampedKeyValue>
    {
        private const uint ValueTag = 42; // field 5, bytes

        public long? Stamp { get; set; }

        protected override void Read(ref ParseContext ctx)
        {
            uint tag;
            while ((tag = ctx.ReadTag()) != 0)
            {
                if (tag == ValueTag)
                {
                    var value = ctx.ReadBytes().Span;
                    if (value.Length >= 8)
                    {
                        Stamp = System.Buffers.Binary.BinaryPrimitives.ReadInt64LittleEndian(value);
                    }
                }
                else
                {
                    SkipScalar(ref ctx, tag);
                }
            }
        }
    }

    /// <summary>A message of varint fields only (a <c>ResponseHeader</c>), read and dropped.</summary>
    private sealed class VarintFields : ReadOnlyMessage<VarintFields>
    {
        public static readonly VarintFields Instance = new();

        protected override void Read(ref ParseContext ctx)
        {
            uint tag;
            while ((tag = ctx.ReadTag()) != 0)
            {
                SkipScalar(ref ctx, tag);
            }
        }
    }
}

/// <summary>A message that is only ever parsed, by hand, field by field: the rest of <see cref="IMessage{T}"/> is not needed.</summary>
internal abstract class ReadOnlyMessage<T> : IMessage<T>, IBufferMessage
    where T : ReadOnlyMessage<T>
{
    protected abstract void Read(ref ParseContext ctx);

    void IBufferMessage.InternalMergeFrom(ref ParseContext ctx) => Read(ref ctx);

    public void MergeFrom(CodedInputStream input) => input.ReadRawMessage(this);

    public MessageDescriptor Descriptor => throw new NotSupportedException("read-only message");

    public void MergeFrom(T message) => throw new NotSupportedException("read-only message");

    public void WriteTo(CodedOutputStream output) => throw new NotSupportedException("read-only message");

    void IBufferMessage.InternalWriteTo(ref WriteContext output) => throw new NotSupportedException("read-only message");

    public int CalculateSize() => throw new NotSupportedException("read-only message");

    public T Clone() => throw new NotSupportedException("read-only message");

    public bool Equals(T? other) => ReferenceEquals(this, other);
}
