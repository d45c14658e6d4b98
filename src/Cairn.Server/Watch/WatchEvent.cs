using Cairn.Protocol.Mvccpb;
using Cairn.Server.Mvcc;
using Google.Protobuf;

namespace Cairn.Server.Watch;

/// <summary>
/// One event as watchers get it, encoded at most once per form (with or without prev_kv) however
/// many watchers receive it. Encodings are computed on first use; two threads racing to compute
/// one store equal bytes, so no lock is needed.
/// </summary>
internal sealed class WatchEvent
{
    private const byte KeyValueTag = (2 << 3) | 2; // Event.kv, length-delimited

    private readonly ReadOnlyMemory<byte> _key;
    private readonly bool _hasPrevious;
    private Event? _value;
    private ByteString? _plain;
    private ByteString? _withPrevious;
    private ByteString[]? _plainAlone;
    private ByteString[]? _withPreviousAlone;

    /// <param name="value">The event; its prev_kv is set when there was one and it was looked up.</param>
    /// <param name="previousLookedUp">Whether prev_kv was looked up (a missing prev_kv then means there is none).</param>
    public WatchEvent(Event value, bool previousLookedUp)
    {
        _value = value;
        PreviousLookedUp = previousLookedUp;
        _hasPrevious = value.PrevKv is not null;
        // Copied out of the event: dispatch and catch-up read them for every event and watcher,
        // and each read through the event would be a chain of dependent loads (event, key-value,
        // byte string) into objects long out of the cache.
        _key = value.Kv.Key.Memory;
        IsPut = value.Type == Event.Types.EventType.Put;
        Revision = value.Kv.ModRevision;
        IsCreate = IsPut && value.Kv.CreateRevision == value.Kv.ModRevision;
        ApproximateSize = 16 + value.Kv.CalculateSize() + (value.PrevKv?.CalculateSize() ?? 0);
    }

    private WatchEvent(byte[] plain, ReadOnlyMemory<byte> key, long revision, bool isCreate, int keyValueSize)
    {
        _plain = UnsafeByteOperations.UnsafeWrap(plain);
        _key = key;
        IsPut = true;
        Revision = revision;
        IsCreate = isCreate;
        ApproximateSize = 16 + keyValueSize;
    }

    /// <summary>
    /// The PUT whose key-value is <paramref name="keyValue"/> as the backend stores it (an encoded
    /// <c>mvccpb.KeyValue</c>), without prev_kv. An event without prev_kv is the record behind the
    /// event's field tag, so catch-up from the backend sends what it read without parsing it and
    /// encoding it again; the message is parsed only if a prev_kv is to be added.
    /// </summary>
    /// <exception cref="FormatException">The bytes are not a KeyValue message.</exception>
    public static WatchEvent FromStoredPut(ReadOnlySpan<byte> keyValue)
    {
        int prefix = 1 + CodedOutputStream.ComputeLengthSize(keyValue.Length);
        var bytes = new byte[prefix + keyValue.Length];
        var output = new CodedOutputStream(bytes);
        output.WriteRawTag(KeyValueTag);
        output.WriteLength(keyValue.Length);
        output.Flush();
        keyValue.CopyTo(bytes.AsSpan(prefix));
        var fields = KeyValueSummary.Parse(bytes.AsSpan(prefix));
        var key = ReadOnlyMemory<byte>.Empty;
        if (!fields.Key.IsEmpty && bytes.AsSpan().Overlaps(fields.Key, out int keyAt))
        {
            key = bytes.AsMemory(keyAt, fields.Key.Length);
        }
        return new WatchEvent(bytes, key, fields.ModRevision, fields.CreateRevision == fields.ModRevision, keyValue.Length);
    }

    /// <summary>The event as a message (for one built from a stored record, parsed the first time it is asked for).</summary>
    public Event Value => _value ??= Event.Parser.ParseFrom(_plain!);

    public bool PreviousLookedUp { get; }

    public ReadOnlySpan<byte> Key => _key.Span;

    public bool IsPut { get; }

    public long Revision { get; }

    /// <summary>A PUT that created the key: it has no previous value (etcd's isCreateEvent).</summary>
    public bool IsCreate { get; }

    /// <summary>The event's bytes without prev_kv, or with it when <paramref name="withPrevious"/>.</summary>
    public ByteString Encoded(bool withPrevious)
    {
        if (withPrevious && _hasPrevious)
        {
            return _withPrevious ??= Value.ToByteString();
        }
        return _plain ??= _hasPrevious
            ? new Event { Type = Value.Type, Kv = Value.Kv }.ToByteString()
            : Value.ToByteString();
    }

    /// <summary>The event alone as a response's event list, shared by every watcher it goes to alone.</summary>
    public ByteString[] Alone(bool withPrevious) => withPrevious && _hasPrevious
        ? _withPreviousAlone ??= [Encoded(true)]
        : _plainAlone ??= [Encoded(false)];

    /// <summary>About how many bytes the event takes on the wire (for memory and batch accounting).</summary>
    /// <remarks>Computed once: catch-up asks it of every event for every watcher it gathers for.</remarks>
    public int ApproximateSize { get; }
}
