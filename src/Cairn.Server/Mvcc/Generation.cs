namespace Cairn.Server.Mvcc;

/// <summary>
/// One life of a key, from its creation to its deletion: the revisions of its changes in order,
/// the last one a tombstone once the key has been deleted. A mutable struct so a key's current
/// generation sits inside its <see cref="KeyIndex"/> without another object; always handle it
/// by reference.
/// </summary>
/// <remarks>
/// Laid out for memory, as there is one per key: the last revision is held inline and only the
/// earlier ones in an array, so the common key (one revision since the last compaction) costs
/// no array at all; the creation is kept as its main revision, all etcd ever uses of it.
/// </remarks>
internal struct Generation
{
    private Revision[]? _earlier;
    private Revision _last;
    private int _count;

    /// <summary>The main revision that created the key in this generation.</summary>
    public long CreatedMain;

    /// <summary>
    /// The key's version at the last revision of the generation. Not the same as the count of
    /// revisions once compaction has dropped earlier ones, or after a restore.
    /// </summary>
    public long Version;

    public readonly int Count => _count;

    public readonly bool IsEmpty => _count == 0;

    public readonly Revision this[int index] => index == _count - 1 ? _last : _earlier![index];

    public readonly Revision First => this[0];

    public readonly Revision Last => _last;

    public void Append(Revision revision)
    {
        if (_count > 0)
        {
            int earlier = _count - 1;
            if (_earlier is null)
            {
                _earlier = new Revision[1];
            }
            else if (earlier == _earlier.Length)
            {
                Array.Resize(ref _earlier, earlier * 2);
            }
            _earlier[earlier] = _last;
        }
        _last = revision;
        _count++;
    }

    /// <summary>
    /// The position of the newest revision whose main revision is at most
    /// <paramref name="atMain"/>, or -1 when every revision is newer.
    /// </summary>
    public readonly int IndexOfLatestAtOrBefore(long atMain)
    {
        for (int i = _count - 1; i >= 0; i--)
        {
            if (this[i].Main <= atMain)
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
        int earlier = _count - 1 - start;
        if (earlier == 0)
        {
            _earlier = null;
        }
        else
        {
            var kept = new Revision[earlier];
            Array.Copy(_earlier!, start, kept, 0, earlier);
            _earlier = kept;
        }
        _count -= start;
    }

    public readonly bool SameAs(in Generation other)
    {
        if (Version != other.Version || _count != other._count)
        {
            return false;
        }
        for (int i = 0; i < _count; i++)
        {
            if (this[i] != other[i])
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>"created:version[revisions]", e.g. "2:3[2.0 4.0 6.0]"; "[]" when empty.</summary>
    public override readonly string ToString()
    {
        if (IsEmpty)
        {
            return "[]";
        }
        var revisions = new string[_count];
        for (int i = 0; i < _count; i++)
        {
            revisions[i] = this[i].ToString();
        }
        return $"{CreatedMain}:{Version}[{string.Join(" ", revisions)}]";
    }
}
