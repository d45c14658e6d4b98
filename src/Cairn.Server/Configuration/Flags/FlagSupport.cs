namespace Cairn.Server.Configuration.Flags;

/// <summary>How far cairn implements what a flag controls.</summary>
public enum SupportStatus
{
    /// <summary>Cairn does what etcd does with this flag.</summary>
    Supported,

    /// <summary>Another issue builds the feature: a value that would turn it on refuses the start.</summary>
    NotSupportedYet,

    /// <summary>Accepted so existing configs start, with a warning saying what cairn does not serve.</summary>
    AcceptedWithWarning,

    /// <summary>One of etcd's long-retired flags that etcd itself accepts and ignores with a warning.</summary>
    Retired,
}

/// <summary>
/// A flag's support status, and which of its values reach the part cairn lacks. Flip a flag to
/// <see cref="Supported"/> in <see cref="FlagTable"/> when its feature lands.
/// </summary>
public sealed record FlagSupport(SupportStatus Status, string? Feature = null, Func<FlagValue, bool>? AppliesTo = null)
{
    public static readonly FlagSupport Supported = new(SupportStatus.Supported);

    public static readonly FlagSupport Retired = new(SupportStatus.Retired);

    /// <summary>Refuse to start when <paramref name="when"/> holds for the value; <paramref name="feature"/> names what is missing.</summary>
    public static FlagSupport NotYet(string feature, Func<FlagValue, bool> when) => new(SupportStatus.NotSupportedYet, feature, when);

    /// <summary>Start, but warn with <paramref name="warning"/> when <paramref name="when"/> holds for the value.</summary>
    public static FlagSupport Warn(string warning, Func<FlagValue, bool> when) => new(SupportStatus.AcceptedWithWarning, warning, when);

    /// <summary>True when this value reaches the unsupported or warned-about part.</summary>
    public bool IsTriggeredBy(FlagValue value) =>
        Status is SupportStatus.NotSupportedYet or SupportStatus.AcceptedWithWarning && AppliesTo is not null && AppliesTo(value);
}
