using Cairn.Protocol.Raftpb;

namespace Cairn.Raft.Tracking;

/// <summary>
/// The configuration (voters, learners) and, on a leader, each member's replication progress and
/// the votes of the current election (etcd's tracker.ProgressTracker, without joint configs).
/// </summary>
internal sealed class ProgressTracker
{
    private readonly Dictionary<ulong, Progress> _progress = new();
    private readonly Dictionary<ulong, bool> _votes = new();
    private ulong[] _voters = [];
    private ulong[] _learners = [];
    private ulong[] _ids = [];

    public ProgressTracker(int maxInflight)
    {
        MaxInflight = maxInflight;
    }

    public int MaxInflight { get; }

    /// <summary>Voter ids, ascending.</summary>
    public ulong[] Voters => _voters;

    /// <summary>Learner ids, ascending.</summary>
    public ulong[] Learners => _learners;

    /// <summary>Every member with a progress (voters and learners), ascending.</summary>
    public ulong[] Ids => _ids;

    public int Count => _progress.Count;

    public Progress? Get(ulong id) => _progress.TryGetValue(id, out var pr) ? pr : null;

    public bool IsVoter(ulong id) => Array.BinarySearch(_voters, id) >= 0;

    /// <summary>A single voter (learners aside): it alone is a quorum.</summary>
    public bool IsSingleton => _voters.Length == 1;

    /// <summary>
    /// Installs a configuration. progress must hold exactly the members of voters and learners.
    /// </summary>
    public void SetConfiguration(IEnumerable<ulong> voters, IEnumerable<ulong> learners, IReadOnlyDictionary<ulong, Progress> progress)
    {
        _voters = Sorted(voters);
        _learners = Sorted(learners);
        _progress.Clear();
        foreach (var (id, pr) in progress)
        {
            _progress[id] = pr;
        }
        _ids = Sorted(_progress.Keys);
    }

    /// <summary>Swaps in a fresh progress for a member (a new term resets every follower's).</summary>
    public void Replace(ulong id, Progress pr) => _progress[id] = pr;

    /// <summary>The current members and their progress, to build the next configuration from.</summary>
    public Dictionary<ulong, Progress> CopyProgress() => new(_progress);

    /// <summary>The configuration in raftpb form (etcd writes auto_leave even when false).</summary>
    public ConfState ConfState()
    {
        var cs = new ConfState { AutoLeave = false };
        cs.Voters.AddRange(_voters);
        cs.Learners.AddRange(_learners);
        return cs;
    }

    /// <summary>The highest index replicated on a majority of voters.</summary>
    public ulong Committed()
    {
        var n = _voters.Length;
        if (n == 0)
        {
            // An empty configuration does not hold anything back (etcd returns +inf).
            return ulong.MaxValue;
        }
        Span<ulong> matches = n <= 32 ? stackalloc ulong[n] : new ulong[n];
        for (var i = 0; i < n; i++)
        {
            matches[i] = _progress.TryGetValue(_voters[i], out var pr) ? pr.Match : 0;
        }
        matches.Sort();
        return matches[n - (n / 2 + 1)];
    }

    /// <summary>Whether a majority of voters was heard from since the last CheckQuorum round.</summary>
    public bool QuorumActive()
    {
        var active = 0;
        foreach (var id in _voters)
        {
            if (_progress.TryGetValue(id, out var pr) && pr.RecentActive)
            {
                active++;
            }
        }
        return _voters.Length == 0 || active >= _voters.Length / 2 + 1;
    }

    public void ResetVotes() => _votes.Clear();

    /// <summary>Records id's vote unless it already voted (a later answer does not change it).</summary>
    public void RecordVote(ulong id, bool granted) => _votes.TryAdd(id, granted);

    public (int Granted, int Rejected, VoteResult Result) TallyVotes()
    {
        int granted = 0, rejected = 0;
        foreach (var id in _voters)
        {
            if (_votes.TryGetValue(id, out var v))
            {
                if (v)
                {
                    granted++;
                }
                else
                {
                    rejected++;
                }
            }
        }
        return (granted, rejected, Outcome(granted, rejected));
    }

    /// <summary>Whether the voters among ids (acks) form a majority.</summary>
    public bool IsQuorum(HashSet<ulong> acks)
    {
        var yes = 0;
        foreach (var id in _voters)
        {
            if (acks.Contains(id))
            {
                yes++;
            }
        }
        return _voters.Length == 0 || yes >= _voters.Length / 2 + 1;
    }

    private VoteResult Outcome(int granted, int rejected)
    {
        var n = _voters.Length;
        if (n == 0)
        {
            return VoteResult.Won;
        }
        var quorum = n / 2 + 1;
        if (granted >= quorum)
        {
            return VoteResult.Won;
        }
        var missing = n - granted - rejected;
        return granted + missing >= quorum ? VoteResult.Pending : VoteResult.Lost;
    }

    private static ulong[] Sorted(IEnumerable<ulong> ids)
    {
        var a = ids.Distinct().ToArray();
        Array.Sort(a);
        return a;
    }
}
