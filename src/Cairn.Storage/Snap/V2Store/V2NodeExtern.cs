namespace Cairn.Storage.Snap.V2Store;

/// <summary>
/// A node as it appears in a v2 event (etcd's <c>NodeExtern</c>). Null or zero members are left
/// out of the JSON, as Go's <c>omitempty</c> leaves them out.
/// </summary>
public sealed record V2NodeExtern
{
    public string Key { get; init; } = "";

    /// <summary>The value of a key; null for a directory (and then absent from the JSON).</summary>
    public string? Value { get; init; }

    public bool Dir { get; init; }

    /// <summary>Expiry in UTC as Go writes it; null for a permanent node.</summary>
    public string? Expiration { get; init; }

    /// <summary>Seconds left to live when the event was made; 0 for a permanent node.</summary>
    public long Ttl { get; init; }

    public IReadOnlyList<V2NodeExtern>? Nodes { get; init; }

    public ulong ModifiedIndex { get; init; }

    public ulong CreatedIndex { get; init; }
}
