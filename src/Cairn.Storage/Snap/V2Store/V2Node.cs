namespace Cairn.Storage.Snap.V2Store;

/// <summary>
/// A node of etcd's v2 store tree: a key with a value, or a directory with children. Indexes are
/// the store's modification counter (not raft indexes) at creation and last change.
/// </summary>
public sealed class V2Node
{
    private V2Node(string path, ulong createdIndex, string expireTime, string value, Dictionary<string, V2Node>? children)
    {
        Path = path;
        CreatedIndex = createdIndex;
        ModifiedIndex = createdIndex;
        ExpireTime = expireTime;
        Value = value;
        Children = children;
    }

    /// <summary>The full path, e.g. <c>/0/members/8e9e05c52164694d/attributes</c>.</summary>
    public string Path { get; }

    public ulong CreatedIndex { get; internal set; }

    public ulong ModifiedIndex { get; internal set; }

    /// <summary>Expiry as Go wrote it (RFC 3339); <see cref="GoTime.Zero"/> for a permanent node.</summary>
    public string ExpireTime { get; internal set; }

    /// <summary>The value of a key; empty for a directory.</summary>
    public string Value { get; internal set; }

    /// <summary>Children by name for a directory; null for a key.</summary>
    public Dictionary<string, V2Node>? Children { get; }

    public bool IsDirectory => Children is not null;

    public bool IsPermanent => GoTime.IsZero(ExpireTime);

    /// <summary>The last path component.</summary>
    public string Name => Path[(Path.LastIndexOf('/') + 1)..];

    public static V2Node NewKey(string path, string value, ulong index) => new(path, index, GoTime.Zero, value, null);

    public static V2Node NewDirectory(string path, ulong index) => new(path, index, GoTime.Zero, "", new Dictionary<string, V2Node>(StringComparer.Ordinal));

    internal static V2Node Restore(string path, ulong created, ulong modified, string expireTime, string value, Dictionary<string, V2Node>? children) =>
        new(path, created, expireTime, value, children) { ModifiedIndex = modified };

    /// <summary>The children sorted as Go sorts map keys in JSON (by UTF-8 bytes).</summary>
    public IEnumerable<V2Node> SortedChildren() =>
        Children is null ? [] : Children.OrderBy(c => c.Key, Utf8Order.Instance).Select(c => c.Value);

    /// <summary>The node as etcd shows it in an event (<c>node.Repr(false, false)</c>): no children.</summary>
    internal V2NodeExtern Repr(DateTimeOffset now)
    {
        var (expiration, ttl) = ExpirationAndTtl(now);
        return new V2NodeExtern
        {
            Key = Path,
            Value = IsDirectory ? null : Value,
            Dir = IsDirectory,
            Expiration = expiration,
            Ttl = ttl,
            ModifiedIndex = ModifiedIndex,
            CreatedIndex = CreatedIndex,
        };
    }

    internal (string? Expiration, long Ttl) ExpirationAndTtl(DateTimeOffset now)
    {
        if (IsPermanent)
        {
            return (null, 0);
        }
        var expire = GoTime.Parse(ExpireTime);
        long ticks = (expire - now).Ticks;
        long ttl = ticks / TimeSpan.TicksPerSecond;
        if (ticks % TimeSpan.TicksPerSecond > 0)
        {
            ttl++;
        }
        return (GoTime.FormatUtc(expire), ttl);
    }
}
