namespace Cairn.Server.Watch;

/// <summary>The revisions from <paramref name="From"/> to <paramref name="To"/>, both included (empty when To &lt; From).</summary>
internal readonly record struct RevisionSpan(long From, long To)
{
    public static RevisionSpan Empty => new(0, -1);

    public bool Contains(long revision) => From <= revision && revision <= To;
}

/// <summary>
/// One catch-up round: read the backend from <paramref name="From"/> to <paramref name="Target"/>
/// for <paramref name="Members"/> (each with the revision it waited at), found by key through
/// <paramref name="Index"/> (read outside the hub's lock: a watcher's range and options never change).
/// </summary>
internal sealed record CatchUpRound(long From, long Target, long CompactedRevision, List<(Watcher Watcher, long Next)> Members, WatcherKeyIndex Index);

/// <summary>Every revision with events from <paramref name="From"/> to <paramref name="ReadUpTo"/>, as read from the backend.</summary>
internal sealed record BackendRead(long From, long ReadUpTo, List<RevisionEvents> History)
{
    public RevisionSpan Span => new(From, ReadUpTo);
}
