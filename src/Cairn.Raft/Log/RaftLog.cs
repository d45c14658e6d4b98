using Cairn.Protocol.Raftpb;
using Cairn.Raft.Storage;

namespace Cairn.Raft.Log;

/// <summary>How an append from the leader fared against the local log.</summary>
internal enum AppendOutcome
{
    Appended,

    /// <summary>The local log has no entry at the message's index with the message's log term.</summary>
    TermMismatch,

    /// <summary>The message would overwrite a committed entry: the sender is broken or lying.</summary>
    ConflictsWithCommitted,
}

/// <summary>
/// The member's view of the log: what storage holds plus the unstable tail, with the commit and
/// applied cursors; etcd's raftLog.
/// </summary>
internal sealed class RaftLog
{
    private readonly IRaftStorage _storage;
    private readonly ulong _maxNextEntsSize;

    public RaftLog(IRaftStorage storage, ulong maxNextEntsSize)
    {
        _storage = storage;
        _maxNextEntsSize = maxNextEntsSize;
        var firstIndex = storage.FirstIndex();
        var lastIndex = storage.LastIndex();
        Unstable = new UnstableLog(lastIndex + 1);
        // Everything up to the snapshot is committed and applied by definition.
        Committed = firstIndex - 1;
        Applied = firstIndex - 1;
    }

    public UnstableLog Unstable { get; }

    /// <summary>The highest index known to be stored on a quorum.</summary>
    public ulong Committed { get; set; }

    /// <summary>The highest index the application has applied.</summary>
    public ulong Applied { get; private set; }

    public override string ToString() =>
        $"committed={Committed}, applied={Applied}, unstable.offset={Unstable.Offset}, len(unstable.Entries)={Unstable.Count}";

    /// <summary>
    /// Appends ents (which follow index) if the log has (index, logTerm), truncating any conflicting
    /// suffix, then commits up to min(committed, last new index).
    /// </summary>
    public AppendOutcome MaybeAppend(ulong index, ulong logTerm, ulong committed, IReadOnlyList<Entry> ents, out ulong lastNewIndex)
    {
        lastNewIndex = 0;
        if (!MatchTerm(index, logTerm))
        {
            return AppendOutcome.TermMismatch;
        }
        var last = index + (ulong)ents.Count;
        var conflict = FindConflict(ents);
        if (conflict != 0)
        {
            if (conflict <= Committed)
            {
                return AppendOutcome.ConflictsWithCommitted;
            }
            Unstable.TruncateAndAppend(ents, (int)(conflict - (index + 1)));
        }
        CommitTo(Math.Min(committed, last));
        lastNewIndex = last;
        return AppendOutcome.Appended;
    }

    /// <summary>Appends one entry after the last index (a leader's own entry).</summary>
    public ulong Append(Entry e)
    {
        Unstable.Append(e);
        return e.Index;
    }

    /// <summary>
    /// The index of the first entry of ents that is not in the log with the same term (a conflict or
    /// a new entry), or 0 when the log already holds them all.
    /// </summary>
    public ulong FindConflict(IReadOnlyList<Entry> ents)
    {
        for (var i = 0; i < ents.Count; i++)
        {
            var e = ents[i];
            if (!MatchTerm(e.Index, e.Term))
            {
                return e.Index;
            }
        }
        return 0;
    }

    public ArraySegment<Entry> UnstableEntries => Unstable.Entries;

    /// <summary>Committed entries not yet applied, up to the per-Ready size limit.</summary>
    public ArraySegment<Entry> NextEntries()
    {
        var off = Math.Max(Applied + 1, FirstIndex());
        if (Committed + 1 > off)
        {
            if (!TrySlice(off, Committed + 1, _maxNextEntsSize, out var ents))
            {
                throw new RaftStateException($"unexpected error when getting unapplied entries [{off}, {Committed + 1}): compacted");
            }
            return ents;
        }
        return ArraySegment<Entry>.Empty;
    }

    public bool HasNextEntries() => Committed + 1 > Math.Max(Applied + 1, FirstIndex());

    /// <summary>The snapshot to send a lagging follower; storage may say it is not ready yet.</summary>
    public Snapshot Snapshot() => Unstable.Snapshot ?? _storage.Snapshot();

    public ulong FirstIndex() => Unstable.TryFirstIndex(out var i) ? i : _storage.FirstIndex();

    public ulong LastIndex() => Unstable.TryLastIndex(out var i) ? i : _storage.LastIndex();

    public ulong LastTerm()
    {
        if (!TryTerm(LastIndex(), out var t))
        {
            throw new RaftStateException($"unexpected error when getting the last term at {LastIndex()}");
        }
        return t;
    }

    public void CommitTo(ulong toCommit)
    {
        if (Committed < toCommit)
        {
            if (LastIndex() < toCommit)
            {
                throw new RaftStateException(
                    $"tocommit({toCommit}) is out of range [lastIndex({LastIndex()})]. Was the raft log corrupted, truncated, or lost?");
            }
            Committed = toCommit;
        }
    }

    public void AppliedTo(ulong i)
    {
        if (i == 0)
        {
            return;
        }
        if (Committed < i || i < Applied)
        {
            throw new RaftStateException($"applied({i}) is out of range [prevApplied({Applied}), committed({Committed})]");
        }
        Applied = i;
    }

    public void StableTo(ulong i, ulong t) => Unstable.StableTo(i, t);

    public void StableSnapTo(ulong i) => Unstable.StableSnapTo(i);

    /// <summary>
    /// The term of entry i. Outside [FirstIndex-1, LastIndex] the term is 0 (and this returns true);
    /// false means storage has just compacted it or cannot produce it.
    /// </summary>
    public bool TryTerm(ulong i, out ulong term)
    {
        term = 0;
        var dummyIndex = FirstIndex() - 1;
        if (i < dummyIndex || i > LastIndex())
        {
            return true;
        }
        if (Unstable.TryTerm(i, out term))
        {
            return true;
        }
        try
        {
            term = _storage.Term(i);
            return true;
        }
        catch (RaftStorageException e) when (e.Error is RaftStorageError.Compacted or RaftStorageError.Unavailable)
        {
            term = 0;
            return false;
        }
    }

    /// <summary>The term of entry i, or 0 when it is no longer available.</summary>
    public ulong TermOrZero(ulong i) => TryTerm(i, out var t) ? t : 0;

    /// <summary>Entries from i to the end, within maxSize; false when i has been compacted.</summary>
    public bool TryEntries(ulong i, ulong maxSize, out ArraySegment<Entry> ents)
    {
        var last = LastIndex();
        if (i > last)
        {
            ents = ArraySegment<Entry>.Empty;
            return true;
        }
        return TrySlice(i, last + 1, maxSize, out ents);
    }

    /// <summary>
    /// Whether a log ending at (lastIndex, term) is at least as up to date as ours (§5.4.1): a later
    /// last term, or the same last term and at least as long.
    /// </summary>
    public bool IsUpToDate(ulong lastIndex, ulong term)
    {
        var ourTerm = LastTerm();
        return term > ourTerm || (term == ourTerm && lastIndex >= LastIndex());
    }

    /// <summary>Whether the log holds an entry at i with this term (an entry we lack never matches).</summary>
    public bool MatchTerm(ulong i, ulong term) => i <= LastIndex() && TryTerm(i, out var t) && t == term;

    /// <summary>Commits maxIndex if it is beyond the commit index and of the given (current) term.</summary>
    public bool MaybeCommit(ulong maxIndex, ulong term)
    {
        if (maxIndex > Committed && TermOrZero(maxIndex) == term)
        {
            CommitTo(maxIndex);
            return true;
        }
        return false;
    }

    public void Restore(Snapshot snapshot)
    {
        Committed = snapshot.Metadata.Index;
        Unstable.Restore(snapshot);
    }

    /// <summary>Entries in [lo, hi) within maxSize; false when lo has been compacted.</summary>
    public bool TrySlice(ulong lo, ulong hi, ulong maxSize, out ArraySegment<Entry> ents)
    {
        ents = ArraySegment<Entry>.Empty;
        if (lo > hi)
        {
            throw new RaftStateException($"invalid slice {lo} > {hi}");
        }
        var fi = FirstIndex();
        if (lo < fi)
        {
            return false;
        }
        var last = LastIndex();
        if (hi > last + 1)
        {
            throw new RaftStateException($"slice[{lo},{hi}) out of bound [{fi},{last}]");
        }
        if (lo == hi)
        {
            return true;
        }
        var offset = Unstable.Offset;
        ArraySegment<Entry> stored = ArraySegment<Entry>.Empty;
        if (lo < offset)
        {
            var storedHi = Math.Min(hi, offset);
            try
            {
                stored = _storage.Entries(lo, storedHi, maxSize);
            }
            catch (RaftStorageException e) when (e.Error == RaftStorageError.Compacted)
            {
                return false;
            }
            catch (RaftStorageException e) when (e.Error == RaftStorageError.Unavailable)
            {
                throw new RaftStateException($"entries[{lo}:{storedHi}) is unavailable from storage");
            }
            // Storage stopped early because of the size limit: that is all we return.
            if ((ulong)stored.Count < storedHi - lo)
            {
                ents = stored;
                return true;
            }
        }
        if (hi > offset)
        {
            var unstable = Unstable.Slice(Math.Max(lo, offset), hi);
            if (stored.Count > 0)
            {
                var combined = new Entry[stored.Count + unstable.Count];
                stored.AsSpan().CopyTo(combined);
                unstable.AsSpan().CopyTo(combined.AsSpan(stored.Count));
                ents = EntrySize.Limit(new ArraySegment<Entry>(combined), maxSize);
            }
            else
            {
                ents = EntrySize.Limit(unstable, maxSize);
            }
            return true;
        }
        ents = EntrySize.Limit(stored, maxSize);
        return true;
    }
}
