using Cairn.Protocol.Raftpb;

namespace Cairn.Raft.Tests.Simulation;

/// <summary>A broken Raft guarantee, found by the simulation.</summary>
internal sealed class SafetyViolation : Exception
{
    public SafetyViolation(string message)
        : base(message)
    {
    }
}

/// <summary>
/// The Raft guarantees, checked incrementally as the simulation runs: election safety, log
/// matching, leader completeness, state machine safety, committed entries never changing, and
/// linearizable ReadIndex answers.
/// </summary>
internal sealed class SafetyChecker
{
    private readonly Dictionary<ulong, ulong> _leaderOfTerm = new();
    // (index, term) -> (term of the entry before, digest of the entry): the log matching property
    // holds if every member that holds (index, term) holds the same entry after the same term.
    private readonly Dictionary<(ulong Index, ulong Term), (ulong PrevTerm, ulong Digest)> _entries = new();
    private readonly Dictionary<ulong, ulong> _committedTerm = new();
    // index -> the lowest term in which a member was seen knowing it committed: the entry was
    // committed in that term or earlier, so every leader of a later term must hold it.
    private readonly Dictionary<ulong, ulong> _committedBy = new();
    private readonly Dictionary<ulong, ulong> _stateAt = new();
    private readonly Dictionary<ulong, string> _appliedAt = new();

    /// <summary>The highest index known committed anywhere.</summary>
    public ulong MaxCommitted { get; private set; }

    public IReadOnlyDictionary<ulong, ulong> CommittedTerms => _committedTerm;

    /// <summary>At most one leader per term. True the first time this leader is seen.</summary>
    public bool Leader(ulong term, ulong id)
    {
        if (_leaderOfTerm.TryGetValue(term, out var other))
        {
            if (other != id)
            {
                throw new SafetyViolation($"election safety: {other:x} and {id:x} both lead term {term}");
            }
            return false;
        }
        _leaderOfTerm[term] = id;
        return true;
    }

    /// <summary>A member persisted e after an entry of prevTerm (0 when unknown, e.g. compacted).</summary>
    public void Persisted(ulong member, Entry e, ulong prevTerm)
    {
        var digest = Digest(e);
        if (_entries.TryGetValue((e.Index, e.Term), out var seen))
        {
            if (seen.Digest != digest)
            {
                throw new SafetyViolation($"log matching: {member:x} holds a different entry {e.Index}/{e.Term}");
            }
            if (prevTerm != 0 && seen.PrevTerm != 0 && seen.PrevTerm != prevTerm)
            {
                throw new SafetyViolation(
                    $"log matching: {member:x} holds {e.Index}/{e.Term} after term {prevTerm}, another after term {seen.PrevTerm}");
            }
            if (seen.PrevTerm == 0 && prevTerm != 0)
            {
                _entries[(e.Index, e.Term)] = (prevTerm, digest);
            }
        }
        else
        {
            _entries[(e.Index, e.Term)] = (prevTerm, digest);
        }
    }

    /// <summary>
    /// A member in memberTerm knows index is committed with this entry term (0: compacted, unknown).
    /// </summary>
    public void Committed(ulong member, ulong memberTerm, ulong index, ulong term)
    {
        if (term == 0)
        {
            return;
        }
        _committedBy[index] = _committedBy.TryGetValue(index, out var by) ? Math.Min(by, memberTerm) : memberTerm;
        if (_committedTerm.TryGetValue(index, out var t) && t != term)
        {
            throw new SafetyViolation($"committed entry lost: {member:x} has {index}/{term} committed, but {index}/{t} was committed before");
        }
        _committedTerm[index] = term;
        MaxCommitted = Math.Max(MaxCommitted, index);
    }

    /// <summary>
    /// Leader completeness: a leader's log holds every entry committed in an earlier term (that it
    /// has not compacted).
    /// </summary>
    public void LeaderHolds(ulong leader, ulong term, ulong firstIndex, ulong lastIndex, Func<ulong, ulong> termAt)
    {
        for (var i = firstIndex; i <= MaxCommitted; i++)
        {
            if (!_committedTerm.TryGetValue(i, out var t) || _committedBy[i] >= term)
            {
                continue;
            }
            if (i > lastIndex)
            {
                throw new SafetyViolation($"leader completeness: {leader:x} leads term {term} with last index {lastIndex}, " +
                                          $"but {i} was committed before term {term}");
            }
            if (termAt(i) != t)
            {
                throw new SafetyViolation($"leader completeness: {leader:x} leads term {term} without committed entry {i}/{t} " +
                                          $"(it has term {termAt(i)})");
            }
        }
    }

    /// <summary>
    /// State machine safety: the state after applying index is the same on every member. The
    /// first member to get there records it.
    /// </summary>
    public void Applied(ulong member, ulong index, ulong state, Entry? e)
    {
        if (_stateAt.TryGetValue(index, out var s))
        {
            if (s != state)
            {
                var what = e is null ? "a snapshot" : Text.RaftDescriber.Describe(e);
                var before = _appliedAt.TryGetValue(index, out var b) ? b : "a snapshot";
                throw new SafetyViolation($"state machine safety: {member:x} applied {what} at {index}, another applied {before}");
            }
            return;
        }
        _stateAt[index] = state;
        if (e is not null)
        {
            _appliedAt[index] = Text.RaftDescriber.Describe(e);
        }
    }

    /// <summary>A read answered at readIndex must see everything committed when it was asked.</summary>
    public static void Read(ulong member, string context, ulong readIndex, ulong committedWhenAsked)
    {
        if (readIndex < committedWhenAsked)
        {
            throw new SafetyViolation($"linearizable read: {member:x} got read index {readIndex} for {context}, " +
                                      $"but {committedWhenAsked} was committed when it asked");
        }
    }

    public static ulong Combine(ulong state, Entry e) => Mix(state ^ Digest(e));

    private static ulong Digest(Entry e)
    {
        var h = Mix(e.Index * 31 + e.Term * 17 + (ulong)e.Type);
        foreach (var b in e.Data.Span)
        {
            h = (h ^ b) * 0x100000001B3UL;
        }
        return h;
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
