using Cairn.Protocol.Etcdserverpb;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Cairn.Server.Watch;

/// <summary>
/// A <c>WatchResponse</c> assembled from parts encoded once and shared: the header of a revision
/// and the events of a revision are the same bytes for every watcher that gets them, so a
/// response costs a watch ID and a few references, not a serialization per watcher. The bytes
/// written are exactly those of the equivalent <see cref="WatchResponse"/> (fields in number
/// order, an embedded message being a length-delimited field), so any client parses them as one.
/// Write-only: the server sends it, nobody parses into it.
/// </summary>
public sealed class WatchResponseFrame : IMessage<WatchResponseFrame>, IBufferMessage
{
    private const uint HeaderTag = 10;          // field 1, length-delimited
    private const uint WatchIdTag = 16;         // field 2, varint
    private const uint CreatedTag = 24;         // field 3, varint
    private const uint CanceledTag = 32;        // field 4, varint
    private const uint CompactRevisionTag = 40; // field 5, varint
    private const uint CancelReasonTag = 50;    // field 6, length-delimited
    private const uint FragmentTag = 56;        // field 7, varint
    private const uint EventTag = 90;           // field 11, length-delimited

    private static readonly MessageParser<WatchResponseFrame> FrameParser = new(() => new WatchResponseFrame(ByteString.Empty));

    private IReadOnlyList<ByteString> _events;
    private long _watchId;
    private int _size = -1;

    /// <param name="header">The encoded <c>ResponseHeader</c>.</param>
    /// <param name="events">Encoded <c>mvccpb.Event</c>s, in order.</param>
    public WatchResponseFrame(ByteString header, IReadOnlyList<ByteString>? events = null)
    {
        Header = header;
        _events = events ?? [];
    }

    public static MessageParser<WatchResponseFrame> Parser => FrameParser;

    public ByteString Header { get; private set; }

    public long WatchId { get => _watchId; init => _watchId = value; }

    public bool Created { get; init; }

    public bool Canceled { get; init; }

    public long CompactRevision { get; init; }

    public string CancelReason { get; init; } = "";

    public bool Fragment { get; init; }

    public IReadOnlyList<ByteString> Events => _events;

    /// <summary>The response's descriptor: the bytes are a <see cref="WatchResponse"/>.</summary>
    public MessageDescriptor Descriptor => WatchResponse.Descriptor;

    /// <summary>The size of a response carrying only <paramref name="header"/>, a watch ID and events (the event response; any other response adds its flags to it).</summary>
    internal static int EventsSize(ByteString header, IReadOnlyList<ByteString> events, long watchId)
    {
        int size = 1 + CodedOutputStream.ComputeBytesSize(header) + WatchIdSize(watchId);
        for (int i = 0; i < events.Count; i++)
        {
            size += 1 + CodedOutputStream.ComputeBytesSize(events[i]);
        }
        return size;
    }

    /// <summary>The bytes the watch ID field takes (none for ID 0, the default value).</summary>
    private static int WatchIdSize(long watchId) => watchId == 0 ? 0 : 1 + CodedOutputStream.ComputeInt64Size(watchId);

    /// <summary>
    /// Makes this frame (one made with a header alone) the event response of
    /// <paramref name="watchId"/>: a stream's send loop writes every queued event response
    /// through one such frame, each written before the next is set, so queuing an event costs
    /// no object.
    /// </summary>
    internal WatchResponseFrame Reset(ByteString header, IReadOnlyList<ByteString> events, long watchId, int size)
    {
        Header = header;
        _events = events;
        _watchId = watchId;
        _size = size;
        return this;
    }

    public int CalculateSize()
    {
        if (_size < 0)
        {
            _size = ComputeSize();
        }
        return _size;
    }

    private int ComputeSize()
    {
        int size = EventsSize(Header, _events, WatchId);
        if (Created)
        {
            size += 2;
        }
        if (Canceled)
        {
            size += 2;
        }
        if (CompactRevision != 0)
        {
            size += 1 + CodedOutputStream.ComputeInt64Size(CompactRevision);
        }
        if (CancelReason.Length != 0)
        {
            size += 1 + CodedOutputStream.ComputeStringSize(CancelReason);
        }
        if (Fragment)
        {
            size += 2;
        }
        return size;
    }

    void IBufferMessage.InternalWriteTo(ref WriteContext output)
    {
        output.WriteTag(HeaderTag);
        output.WriteBytes(Header);
        if (WatchId != 0)
        {
            output.WriteTag(WatchIdTag);
            output.WriteInt64(WatchId);
        }
        if (Created)
        {
            output.WriteTag(CreatedTag);
            output.WriteBool(true);
        }
        if (Canceled)
        {
            output.WriteTag(CanceledTag);
            output.WriteBool(true);
        }
        if (CompactRevision != 0)
        {
            output.WriteTag(CompactRevisionTag);
            output.WriteInt64(CompactRevision);
        }
        if (CancelReason.Length != 0)
        {
            output.WriteTag(CancelReasonTag);
            output.WriteString(CancelReason);
        }
        if (Fragment)
        {
            output.WriteTag(FragmentTag);
            output.WriteBool(true);
        }
        for (int i = 0; i < _events.Count; i++)
        {
            output.WriteTag(EventTag);
            output.WriteBytes(_events[i]);
        }
    }

    public void WriteTo(CodedOutputStream output) => output.WriteRawMessage(this);

    /// <summary>The same response as a parsed message (tests, logs).</summary>
    public WatchResponse ToResponse() => WatchResponse.Parser.ParseFrom(this.ToByteArray());

    void IBufferMessage.InternalMergeFrom(ref ParseContext ctx) =>
        throw new NotSupportedException("a watch response frame is only written");

    public void MergeFrom(CodedInputStream input) =>
        throw new NotSupportedException("a watch response frame is only written");

    public void MergeFrom(WatchResponseFrame message) =>
        throw new NotSupportedException("a watch response frame is only written");

    public WatchResponseFrame Clone() => this;

    public bool Equals(WatchResponseFrame? other) => ReferenceEquals(this, other);

    public override bool Equals(object? obj) => ReferenceEquals(this, obj);

    public override int GetHashCode() => System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(this);
}
