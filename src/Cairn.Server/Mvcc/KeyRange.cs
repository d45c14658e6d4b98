namespace Cairn.Server.Mvcc;

/// <summary>
/// The keys a request names: one key, the keys in [Key, End), or every key from Key on.
/// </summary>
public readonly struct KeyRange
{
    private KeyRange(ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> end, bool isSingleKey)
    {
        Key = key;
        End = end;
        IsSingleKey = isSingleKey;
    }

    public ReadOnlyMemory<byte> Key { get; }

    /// <summary>Exclusive upper bound; empty with <see cref="IsSingleKey"/> false means none.</summary>
    public ReadOnlyMemory<byte> End { get; }

    public bool IsSingleKey { get; }

    public bool IsOpenEnded => !IsSingleKey && End.IsEmpty;

    public static KeyRange Single(ReadOnlyMemory<byte> key) => new(key, default, true);

    public static KeyRange Between(ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> end)
    {
        if (end.IsEmpty)
        {
            throw new ArgumentException("a range end must not be empty; use From for an open range", nameof(end));
        }
        return new(key, end, false);
    }

    public static KeyRange From(ReadOnlyMemory<byte> key) => new(key, default, false);

    /// <summary>
    /// The range of a request's key and range_end, as etcd reads them (<c>mkGteRange</c>): no
    /// range_end is the key alone, range_end "\0" is every key from the key on.
    /// </summary>
    public static KeyRange FromRequest(ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> rangeEnd)
    {
        if (rangeEnd.IsEmpty)
        {
            return Single(key);
        }
        if (rangeEnd.Length == 1 && rangeEnd.Span[0] == 0)
        {
            return From(key);
        }
        return Between(key, rangeEnd);
    }

    public bool Contains(ReadOnlySpan<byte> key)
    {
        if (IsSingleKey)
        {
            return key.SequenceEqual(Key.Span);
        }
        return key.SequenceCompareTo(Key.Span) >= 0 && IsBeforeEnd(key);
    }

    /// <summary>True when the key is below the end bound (always, for an open or single range).</summary>
    public bool IsBeforeEnd(ReadOnlySpan<byte> key) =>
        IsSingleKey || End.IsEmpty || key.SequenceCompareTo(End.Span) < 0;

    public override string ToString() =>
        IsSingleKey ? $"[{KeyIndex.Printable(Key.Span)}]"
        : IsOpenEnded ? $"[{KeyIndex.Printable(Key.Span)}, +inf)"
        : $"[{KeyIndex.Printable(Key.Span)}, {KeyIndex.Printable(End.Span)})";
}
