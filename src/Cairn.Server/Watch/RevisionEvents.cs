namespace Cairn.Server.Watch;

/// <summary>Every event of one revision, in the order of its changes.</summary>
internal sealed class RevisionEvents
{
    public RevisionEvents(long revision, WatchEvent[] events)
    {
        Revision = revision;
        Events = events;
        foreach (var e in events)
        {
            Bytes += e.ApproximateSize;
        }
    }

    public long Revision { get; }

    public WatchEvent[] Events { get; }

    /// <summary>Approximate size of the events.</summary>
    public long Bytes { get; }
}
