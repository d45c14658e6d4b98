using Cairn.Protocol.Mvccpb;
using Google.Protobuf;

namespace Cairn.Server.Watch;

/// <summary>
/// One event as watchers get it, encoded at most once per form (with or without prev_kv) however
/// many watchers receive it. Encodings are computed on first use; two threads racing to compute
/// one store equal bytes, so no lock is needed.
/// </summary>
internal sealed class WatchEvent
{
    private ByteString? _plain;
    private ByteString? _withPrevious;
    private ByteString[]? _plainAlone;
    private ByteString[]? _withPreviousAlone;

    /// <param name="value">The event; its prev_kv is set when there was one and it was looked up.</param>
    /// <param name="previousLookedUp">Whether prev_kv was looked up (a missing prev_kv then means there is none).</param>
    public WatchEvent(Event value, bool previousLookedUp)
    {
        Value = value;
        PreviousLookedUp = previousLookedUp;
    }

    public Event Value { get; }

    public bool PreviousLookedUp { get; }

    public ReadOnlySpan<byte> Key => Value.Kv.Key.Span;

    public bool IsPut => Value.Type == Event.Types.EventType.Put;

    public long Revision => Value.Kv.ModRevision;

    /// <summary>A PUT that created the key: it has no previous value (etcd's isCreateEvent).</summary>
    public bool IsCreate => IsPut && Value.Kv.CreateRevision == Value.Kv.ModRevision;

    /// <summary>The event's bytes without prev_kv, or with it when <paramref name="withPrevious"/>.</summary>
    public ByteString Encoded(bool withPrevious)
    {
        if (withPrevious && Value.PrevKv is not null)
        {
            return _withPrevious ??= Value.ToByteString();
        }
        return _plain ??= Value.PrevKv is null
            ? Value.ToByteString()
            : new Event { Type = Value.Type, Kv = Value.Kv }.ToByteString();
    }

    /// <summary>The event alone as a response's event list, shared by every watcher it goes to alone.</summary>
    public ByteString[] Alone(bool withPrevious) => withPrevious && Value.PrevKv is not null
        ? _withPreviousAlone ??= [Encoded(true)]
        : _plainAlone ??= [Encoded(false)];

    /// <summary>About how many bytes the event takes on the wire (for memory and batch accounting).</summary>
    public int ApproximateSize => 16 + Value.Kv.CalculateSize() + (Value.PrevKv?.CalculateSize() ?? 0);
}
