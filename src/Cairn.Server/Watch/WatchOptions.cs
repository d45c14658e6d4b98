namespace Cairn.Server.Watch;

/// <summary>How the watch hub paces and bounds its work; the defaults suit a server.</summary>
public sealed record WatchOptions
{
    /// <summary>etcd's minWatchProgressInterval: a shorter progress interval is raised to it.</summary>
    public static readonly TimeSpan MinProgressNotifyInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// How often a watcher created with progress_notify hears the current revision when it got no
    /// event meanwhile (etcd's --experimental-watch-progress-notify-interval, 10 minutes by default).
    /// A tenth of it is added at random per stream, as etcd does, so streams do not tick together.
    /// </summary>
    public TimeSpan ProgressNotifyInterval { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Bytes of responses a stream may hold for its client. Beyond it, a watcher's events are not
    /// queued: the watcher falls back to catch-up, which reads them again later (from memory or
    /// the backend) once the client has read enough. This is the memory bound of a stream.
    /// </summary>
    public int StreamBufferBytes { get; init; } = 4 * 1024 * 1024;

    /// <summary>
    /// A stream whose client has not taken a single response for this long while responses wait
    /// is cut (HTTP/2 RST_STREAM, which etcd's clients treat as a reason to reconnect and resume),
    /// so a client that stopped reading does not keep its watchers forever.
    /// </summary>
    public TimeSpan StalledStreamTimeout { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Size above which a response of a watcher created with <c>fragment</c> is split (etcd uses
    /// --max-request-bytes plus gRPC's overhead allowance).
    /// </summary>
    public int FragmentBytes { get; init; } = (int)(1.5 * 1024 * 1024) + 512 * 1024;

    /// <summary>Bytes of history records one catch-up round reads from the backend at most.</summary>
    public int CatchUpReadBytes { get; init; } = 1024 * 1024;

    /// <summary>Watchers served by one catch-up round at most (etcd's maxWatchersPerSync).</summary>
    public int MaxWatchersPerRound { get; init; } = 512;

    /// <summary>
    /// Revisions kept in memory after they are dispatched, so that a watcher a little behind
    /// (a stream that was briefly full, a client resuming from a recent revision) catches up
    /// without reading the backend. Bounded by <see cref="RecentHistoryBytes"/> too.
    /// </summary>
    public int RecentHistoryRevisions { get; init; } = 32 * 1024;

    /// <summary>Bytes of events the recent history holds at most.</summary>
    public long RecentHistoryBytes { get; init; } = 16 * 1024 * 1024;

    /// <summary>How long the catch-up loop sleeps when it has nothing it can do right away.</summary>
    public TimeSpan CatchUpIdleInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The progress interval etcd would use for <paramref name="configured"/>: never below 100 ms.</summary>
    public static TimeSpan EffectiveProgressInterval(TimeSpan configured) =>
        configured < MinProgressNotifyInterval ? MinProgressNotifyInterval : configured;
}
