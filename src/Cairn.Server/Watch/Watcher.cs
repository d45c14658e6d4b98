using Cairn.Server.Mvcc;

namespace Cairn.Server.Watch;

/// <summary>Where a watcher stands with respect to the store's history.</summary>
internal enum WatcherState
{
    /// <summary>Every event before <see cref="Watcher.NextRevision"/> is queued; new ones are dispatched as they happen.</summary>
    Synced,

    /// <summary>Behind: the catch-up loop queues its events from the recent history or the backend.</summary>
    Unsynced,

    /// <summary>Cancelled, compacted or its stream closed: it gets nothing more.</summary>
    Removed,
}

/// <summary>Which events a watcher leaves out (etcd's NOPUT and NODELETE filters).</summary>
[Flags]
internal enum WatchFilters
{
    None = 0,
    NoPut = 1,
    NoDelete = 2,
}

/// <summary>
/// One watcher of a stream: a key range, the options it was created with, and the next revision
/// it needs (etcd's minRev). All mutable state is guarded by the hub's lock.
/// </summary>
internal sealed class Watcher
{
    public Watcher(WatchStream stream, long id, KeyRange range, WatchFilters filters, bool previousKeyValues, bool progressNotify, bool fragment)
    {
        Stream = stream;
        Id = id;
        Range = range;
        Filters = filters;
        PreviousKeyValues = previousKeyValues;
        ProgressNotify = progressNotify;
        Fragment = fragment;
    }

    public WatchStream Stream { get; }

    public long Id { get; }

    public KeyRange Range { get; }

    public WatchFilters Filters { get; }

    public bool PreviousKeyValues { get; }

    public bool ProgressNotify { get; }

    public bool Fragment { get; }

    public WatcherState State { get; set; } = WatcherState.Removed;

    /// <summary>The first revision whose events the watcher has not been given yet.</summary>
    public long NextRevision { get; set; }

    /// <summary>Set when events were queued since the last progress tick (a tick then sends nothing).</summary>
    public bool EventsSinceProgressTick { get; set; }

    /// <summary>Its place in its key index's list for its key or range (for O(1) removal).</summary>
    internal int GroupSlot { get; set; } = -1;

    /// <summary>Its node in the hub's catch-up queue while unsynced.</summary>
    internal LinkedListNode<Watcher>? CatchUpNode { get; set; }

    /// <summary>Scratch for one dispatch: the revision it was last matched in and its events there.</summary>
    internal long MatchedRevision { get; set; }

    internal List<WatchEvent> Matched { get; } = new(1);

    /// <summary>Scratch for the catch-up batch it is in (allocated the first time it falls behind).</summary>
    internal CatchUpScratch CatchUp => _catchUp ??= new();

    private CatchUpScratch? _catchUp;

    /// <summary>True when the watcher wants the event after its filters.</summary>
    public bool Accepts(WatchEvent e) =>
        e.IsPut ? (Filters & WatchFilters.NoPut) == 0 : (Filters & WatchFilters.NoDelete) == 0;

    public override string ToString() => $"watcher {Id} on {Range} at {NextRevision} ({State})";
}
