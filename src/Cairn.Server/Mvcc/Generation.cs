namespace Cairn.Server.Mvcc;

/// <summary>
/// One life of a key, from its creation to its deletion: the revisions of its changes in order,
/// the last one a tombstone once the key has been deleted. A mutable struct so a key's current
/// generation sits inside its <see cref="KeyIndex"/> without another object; always handle it
/// by reference.
/// </summary>
internal struct Generation
{
    private Revision[]? _revisions;
    private int _count;

    /// <summary>The revision that created the key in this generation.</summary>
    public Revision Created;

    /// <summary>
    /// The key's version at the last revision of the generation. Not the same as the count of
    /// revisions once compaction has dropped earlier ones, or after a restore.
    /// </summary>
    public long Version;

    public readonly int Count => _count;

    public readonly bool IsEmpty => _count == 0;

    public readonly Revision this[int index] => _revisions![index];

    public readonly Revision First => _revisions![0];

    public readonly Revision Last => _revisions![_count - 1];

    public void Append(Revision revision)
    {
        if (_revisions is null)
        {
            _revisions = new Revision[1];
        }
        else if (_count == _revisions.Length)
        {
            Array.Resize(ref _revisions, _count * 2);
        }
        _revisions[_count++] = revision;
    }

    /// <summary>
    /// The position of the newest revision whose main revision is at most
    /// <paramref name="atMain"/>, or -1 when every revision is newer.
    /// </summary>
    public readonly int IndexOfLatestAtOrBefore(long atMain)
    {
        for (int i = _count - 1; i >= 0; i--)
        {
            if (_revisions![i].Main <= atMain)
            {
                return i;
            }
        }
        return -1;
    }

    /// <summary>Drops the revisions before <paramref name="start"/>, releasing spare room.</summary>
    public void DropBefore(int start)
    {
        if (start == 0)
        {
            return;
        }
        int remaining = _count - start;
        var kept = new Revision[remaining];
        Array.Copy(_revisions!, start, kept, 0, remaining);
        _revisions = kept;
        _count = remaining;
    }

    public readonly ReadOnlySpan<Revision> AsSpan() =>
        _revisions is null ? ReadOnlySpan<Revision>.Empty : _revisions.AsSpan(0, _count);

    public readonly bool SameAs(in Generation other) =>
        Version == other.Version && AsSpan().SequenceEqual(other.AsSpan());

    /// <summary>"created:version[revisions]", e.g. "2.0:3[2.0 4.0 6.0]"; "[]" when empty.</summary>
    public override readonly string ToString() =>
        IsEmpty ? "[]" : $"{Created}:{Version}[{string.Join(" ", AsSpan().ToArray())}]";
}
