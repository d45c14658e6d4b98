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
        // Copied out of the event: dispatch and catch-up read them for every event and watcher,
        // and each read through the event would be a chain of dependent loads (event, key-value,
        // byte string) into objects long out of the cache.
        _key = value.Kv.Key.Memory;
        IsPut = value.Type == Event.Types.EventType.Put;
        Revision = value.Kv.ModRevision;
        IsCreate = IsPut && value.Kv.CreateRevision == value.Kv.ModRevision;
        ApproximateSize = 16 + value.Kv.CalculateSize() + (value.PrevKv?.CalculateSize() ?? 0);
    }

    private readonly ReadOnlyMemory<byte> _key;

    public Event Value { get; }

    public bool PreviousLookedUp { get; }

    public ReadOnlySpan<byte> Key => _key.Span;

    public bool IsPut { get; }

    public long Revision { get; }

    /// <summary>A PUT that created the key: it has no previous value (etcd's isCreateEvent).</summary>
    public bool IsCreate { get; }

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
    /// <remarks>Computed once: catch-up asks it of every event for every watcher it gathers for.</remarks>
    public int ApproximateSize { get; }
}
