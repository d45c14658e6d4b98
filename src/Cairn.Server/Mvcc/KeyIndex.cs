using System.Text;

namespace Cairn.Server.Mvcc;

/// <summary>
/// The revisions of one key, as etcd's <c>keyIndex</c>: a list of generations, oldest first.
/// Each generation is one life of the key; deleting the key appends a tombstone to the current
/// generation and starts a new, empty one. For example put(1.0); put(2.0); tombstone(3.0);
/// put(4.0); tombstone(5.0) gives {1.0, 2.0, 3.0(t)} {4.0, 5.0(t)} {}.
/// Compaction at a revision drops every revision at or below it except the newest one, and that
/// one too when it is a tombstone; a key whose generations are all gone leaves the index.
/// Not thread-safe: <see cref="TreeIndex"/> guards it.
/// </summary>
/// <remarks>
/// Memory matters here (one per key): the current generation is stored inline and the closed
/// ones, rare in steady state since compaction removes them, in an array allocated on demand.
/// </remarks>
internal sealed class KeyIndex
{
    private static readonly Generation[] NoGenerations = [];

    private Generation _current;
    private Generation[] _closed = NoGenerations;

    public KeyIndex(byte[] key)
    {
        Key = key;
    }

    public byte[] Key { get; }

    /// <summary>True when the key has no revisions left (only an empty generation).</summary>
    public bool IsEmpty => _closed.Length == 0 && _current.IsEmpty;

    /// <summary>True when the key exists at the newest revision (not deleted).</summary>
    public bool IsLive => !_current.IsEmpty;

    public int GenerationCount => _closed.Length + 1;

    /// <summary>The revision of the key's last change (put or tombstone).</summary>
    public Revision Modified =>
        !_current.IsEmpty ? _current.Last : _closed.Length > 0 ? _closed[^1].Last : default;

    private ref Generation GenerationAt(int index) =>
        ref index < _closed.Length ? ref _closed[index] : ref _current;

    /// <summary>Records a put of the key at <paramref name="revision"/>.</summary>
    public void Put(Revision revision)
    {
        if (!IsEmpty && !revision.GreaterThan(Modified))
        {
            throw new InvalidOperationException(
                $"mvcc index: put of key {Printable(Key)} at revision {revision} is not after its last change {Modified}");
        }
        if (_current.IsEmpty)
        {
            _current.CreatedMain = revision.Main;
        }
        _current.Append(revision);
        _current.Version++;
    }

    /// <summary>
    /// Starts the index of a key from its newest record alone, as a restore from the backend does
    /// when the older records have been compacted away.
    /// </summary>
    public void Restore(long createdMain, Revision modified, long version)
    {
        if (!IsEmpty)
        {
            throw new InvalidOperationException($"mvcc index: restore of key {Printable(Key)} that already has revisions");
        }
        _current.CreatedMain = createdMain;
        _current.Version = version;
        _current.Append(modified);
    }

    /// <summary>
    /// Records the deletion of the key at <paramref name="revision"/>: a tombstone ends the
    /// current generation. False when the key is already deleted (etcd's ErrRevisionNotFound).
    /// </summary>
    public bool Tombstone(Revision revision)
    {
        if (IsEmpty)
        {
            throw new InvalidOperationException($"mvcc index: tombstone on key {Printable(Key)} that has no revisions");
        }
        if (_current.IsEmpty)
        {
            return false;
        }
        Put(revision);
        var closed = new Generation[_closed.Length + 1];
        _closed.CopyTo(closed, 0);
        closed[^1] = _current;
        _closed = closed;
        _current = default;
        return true;
    }

    /// <summary>
    /// The key's state at main revision <paramref name="atMain"/>, or null when the key did not
    /// exist then (not yet created, deleted, or compacted away).
    /// </summary>
    public KeyState? Get(long atMain)
    {
        if (IsEmpty)
        {
            throw new InvalidOperationException($"mvcc index: get on key {Printable(Key)} that has no revisions");
        }
        int gi = FindGeneration(atMain);
        if (gi < 0)
        {
            return null;
        }
        ref Generation g = ref GenerationAt(gi);
        int n = g.IndexOfLatestAtOrBefore(atMain);
        if (n < 0)
        {
            return null;
        }
        return new KeyState(g[n], g.CreatedMain, g.Version - (g.Count - n - 1));
    }

    /// <summary>
    /// Index of the generation the key was in at <paramref name="atMain"/>, or -1 when the key
    /// did not exist then.
    /// </summary>
    private int FindGeneration(long atMain)
    {
        int last = _closed.Length;
        for (int gi = last; gi >= 0; gi--)
        {
            ref Generation g = ref GenerationAt(gi);
            if (g.IsEmpty)
            {
                continue;
            }
            if (gi != last && g.Last.Main <= atMain)
            {
                // Deleted at or before atMain, and not recreated by then.
                return -1;
            }
            if (g.First.Main <= atMain)
            {
                return gi;
            }
        }
        return -1;
    }

    /// <summary>
    /// Appends the revisions of the key's changes at or after main revision
    /// <paramref name="sinceMain"/>, oldest first; of several changes in one main revision only
    /// the last is given (what a watcher sees).
    /// </summary>
    public void AppendSince(long sinceMain, List<Revision> into)
    {
        int gi = _closed.Length;
        for (; gi > 0; gi--)
        {
            ref Generation g = ref GenerationAt(gi);
            // etcd compares (since, 0) > created: only the main revision of the creation counts.
            if (!g.IsEmpty && sinceMain > g.CreatedMain)
            {
                break;
            }
        }
        int start = into.Count;
        long lastMain = 0;
        for (; gi <= _closed.Length; gi++)
        {
            ref Generation g = ref GenerationAt(gi);
            for (int i = 0; i < g.Count; i++)
            {
                var r = g[i];
                if (r.Main < sinceMain)
                {
                    continue;
                }
                if (r.Main == lastMain && into.Count > start)
                {
                    into[^1] = r;
                    continue;
                }
                into.Add(r);
                lastMain = r.Main;
            }
        }
    }

    /// <summary>
    /// Compacts at main revision <paramref name="atMain"/>: adds to <paramref name="keep"/> the
    /// revision that stays visible at that point (none when it is a tombstone) and drops every
    /// older revision and every generation that ended by then.
    /// </summary>
    public void Compact(long atMain, HashSet<Revision> keep)
    {
        if (IsEmpty)
        {
            throw new InvalidOperationException($"mvcc index: compact on key {Printable(Key)} that has no revisions");
        }
        var (genIndex, revIndex) = FindCompactionPoint(atMain, keep);
        ref Generation g = ref GenerationAt(genIndex);
        if (!g.IsEmpty)
        {
            if (revIndex != -1)
            {
                g.DropBefore(revIndex);
            }
            if (g.Count == 1 && genIndex != _closed.Length)
            {
                // All that is left of an ended generation is its tombstone.
                keep.Remove(g[0]);
                genIndex++;
            }
        }
        if (genIndex > 0)
        {
            _closed = genIndex >= _closed.Length ? NoGenerations : _closed[genIndex..];
        }
    }

    /// <summary>
    /// Adds to <paramref name="keep"/> the revision a compaction at <paramref name="atMain"/>
    /// would keep, without changing the index.
    /// </summary>
    public void Keep(long atMain, HashSet<Revision> keep)
    {
        if (IsEmpty)
        {
            return;
        }
        var (genIndex, revIndex) = FindCompactionPoint(atMain, keep);
        ref Generation g = ref GenerationAt(genIndex);
        if (!g.IsEmpty && revIndex == g.Count - 1 && genIndex != _closed.Length)
        {
            keep.Remove(g[revIndex]);
        }
    }

    private (int GenIndex, int RevIndex) FindCompactionPoint(long atMain, HashSet<Revision> keep)
    {
        int genIndex = 0;
        int last = _closed.Length;
        // The first generation still alive at atMain, or created after it.
        while (genIndex < last && GenerationAt(genIndex).Last.Main <= atMain)
        {
            genIndex++;
        }
        ref Generation g = ref GenerationAt(genIndex);
        int revIndex = g.IndexOfLatestAtOrBefore(atMain);
        if (revIndex >= 0)
        {
            keep.Add(g[revIndex]);
        }
        return (genIndex, revIndex);
    }

    /// <summary>Structural equality, for tests and the restore check.</summary>
    public bool SameAs(KeyIndex other)
    {
        if (!Key.AsSpan().SequenceEqual(other.Key) || Modified != other.Modified ||
            GenerationCount != other.GenerationCount)
        {
            return false;
        }
        for (int i = 0; i < GenerationCount; i++)
        {
            if (!GenerationAt(i).SameAs(other.GenerationAt(i)))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>The generations, oldest first, e.g. "2.0:3[2.0 4.0 6.0] []".</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        for (int i = 0; i < GenerationCount; i++)
        {
            sb.Append(i == 0 ? "" : " ").Append(GenerationAt(i).ToString());
        }
        return sb.ToString();
    }

    internal static string Printable(ReadOnlySpan<byte> key) =>
        Encoding.UTF8.GetString(key).Replace("\0", "\\0", StringComparison.Ordinal);
}
