namespace Cairn.Server.Watch;

/// <summary>
/// The events of the recent history for a batch of unsynced watchers, found in one pass over the
/// history (etcd's syncWatchers and its watcher batches): each revision's events are looked up
/// by key among the batch's members, so a round costs the revisions passed plus the events
/// matched, not the revisions times the watchers. Under load many watchers fall behind at once
/// (a burst fills their streams), and serving them one by one, each scanning the history for
/// its own key, made catch-up cost grow with the backlog until it could not keep up.
/// Reused round after round; used under the hub's lock.
/// </summary>
internal sealed class CatchUpBatch
{
    private readonly WatcherKeyIndex _index = new(trackSlots: false);
    private readonly List<Watcher> _members = [];
    private readonly List<Watcher> _matches = [];

    public int Count => _members.Count;

    public IReadOnlyList<Watcher> Members => _members;

    /// <summary>The lowest next revision of the members (where a pass over the history starts).</summary>
    public long LowestNextRevision { get; private set; } = long.MaxValue;

    /// <summary>Adds an unsynced watcher that may be given up to <paramref name="room"/> bytes of events.</summary>
    public void Add(Watcher watcher, long room)
    {
        watcher.CatchUp.Reset(room, watcher.NextRevision - 1);
        LowestNextRevision = Math.Min(LowestNextRevision, watcher.NextRevision);
        _members.Add(watcher);
        _index.Add(watcher);
    }

    /// <summary>
    /// Gathers each member's events from its next revision on, whole revisions only, until its
    /// room is used, the history ends, or <paramref name="maxRevisions"/> revisions were passed.
    /// <paramref name="history"/> holds, in order, every revision with events from the lowest
    /// next revision of the members up to <paramref name="coveredUpTo"/>. A member then holds
    /// its events and the last revision they cover (<see cref="CatchUpScratch.ServedUpTo"/>), or
    /// <see cref="CatchUpScratch.NeedsBackend"/> when it wants a prev_kv the history lacks.
    /// </summary>
    public void Collect(IEnumerable<RevisionEvents> history, long coveredUpTo, long maxRevisions)
    {
        if (_members.Count == 0)
        {
            return;
        }
        long from = LowestNextRevision;
        long passedTo = coveredUpTo;
        long passed = 0;
        foreach (var revision in history)
        {
            if (revision.Revision < from)
            {
                continue;
            }
            if (passed++ == maxRevisions)
            {
                passedTo = revision.Revision - 1;
                break;
            }
            foreach (var e in revision.Events)
            {
                _matches.Clear();
                _index.Collect(e.Key, _matches);
                foreach (var w in _matches)
                {
                    Gather(w, revision.Revision, e);
                }
            }
        }
        _matches.Clear();
        foreach (var w in _members)
        {
            var c = w.CatchUp;
            if (!c.Stopped)
            {
                // Nothing it wanted stopped it: it has everything up to where the pass got.
                c.ServedUpTo = Math.Max(c.ServedUpTo, passedTo);
            }
        }
    }

    private static void Gather(Watcher w, long revision, WatchEvent e)
    {
        var c = w.CatchUp;
        if (c.Stopped || revision < w.NextRevision)
        {
            return;
        }
        if (c.LastRevision != revision)
        {
            // A new revision of its: taken whole if the room was not used up before it.
            if (c.Bytes >= c.Room)
            {
                c.Stop(revision - 1);
                return;
            }
            c.LastRevision = revision;
        }
        if (w.PreviousKeyValues && !e.PreviousLookedUp && !e.IsCreate)
        {
            // prev_kv was not looked up when this was applied: the backend path looks it up.
            c.NeedsBackend = true;
            c.Stop(revision - 1);
            return;
        }
        c.Events.Add(e);
        c.Bytes += e.ApproximateSize;
    }

    /// <summary>Empties the batch for the next round.</summary>
    public void Clear()
    {
        foreach (var w in _members)
        {
            w.CatchUp.Events.Clear();
        }
        _members.Clear();
        _index.Clear();
        LowestNextRevision = long.MaxValue;
    }
}

/// <summary>What one catch-up batch gathered for one watcher.</summary>
internal sealed class CatchUpScratch
{
    public List<WatchEvent> Events { get; } = [];

    /// <summary>Bytes of events it may be given.</summary>
    public long Room { get; private set; }

    /// <summary>Bytes of events gathered.</summary>
    public long Bytes { get; set; }

    /// <summary>The revision of the last event gathered.</summary>
    public long LastRevision { get; set; }

    /// <summary>Every event up to this revision is gathered.</summary>
    public long ServedUpTo { get; set; }

    /// <summary>Its room was used, or it needs the backend: nothing more is gathered.</summary>
    public bool Stopped { get; private set; }

    public bool NeedsBackend { get; set; }

    public void Reset(long room, long servedUpTo)
    {
        Events.Clear();
        Room = room;
        Bytes = 0;
        LastRevision = 0;
        ServedUpTo = servedUpTo;
        Stopped = false;
        NeedsBackend = false;
    }

    public void Stop(long servedUpTo)
    {
        Stopped = true;
        ServedUpTo = servedUpTo;
    }
}
