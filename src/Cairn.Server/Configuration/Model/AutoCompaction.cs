namespace Cairn.Server.Configuration.Model;

/// <summary>--auto-compaction-mode.</summary>
public enum AutoCompactionMode
{
    /// <summary>No compactor: retention is zero, or (as in etcd) the mode is empty.</summary>
    Disabled,

    /// <summary>Keep a time window of history.</summary>
    Periodic,

    /// <summary>Keep a number of revisions.</summary>
    Revision,
}

/// <summary>Automatic compaction, with --auto-compaction-retention parsed as etcd parses it.</summary>
/// <param name="Mode">What kind of retention, or disabled.</param>
/// <param name="Period">For <see cref="AutoCompactionMode.Periodic"/>: the window ("1" means one hour).</param>
/// <param name="Revisions">For <see cref="AutoCompactionMode.Revision"/>: revisions to keep.</param>
/// <param name="RetentionText">--auto-compaction-retention as given, for logs.</param>
public sealed record AutoCompaction(AutoCompactionMode Mode, TimeSpan Period, long Revisions, string RetentionText)
{
    public static readonly AutoCompaction Disabled = new(AutoCompactionMode.Disabled, TimeSpan.Zero, 0, "0");

    /// <summary>--auto-compaction-mode as given, for logs (etcd prints it even when no compactor runs).</summary>
    public string ModeText { get; init; } = "periodic";

    /// <summary>The retention as etcd holds it: nanoseconds, hours converted, a revision count taken as nanoseconds (etcd logs it as a duration).</summary>
    public long RetentionNanoseconds { get; init; }
}
