namespace Cairn.Server.Configuration.Flags;

/// <summary>Where a flag's value came from.</summary>
public enum ValueSource
{
    Default,
    CommandLine,
    Environment,
    ConfigFile,
}

/// <summary>Where a flag's value came from, with the environment variable or YAML key when there is one.</summary>
public readonly record struct FlagOrigin(ValueSource Source, string? Detail = null)
{
    public static readonly FlagOrigin Default = new(ValueSource.Default);

    public static readonly FlagOrigin CommandLine = new(ValueSource.CommandLine);

    /// <summary>How to name the origin in a message: "", " (from ETCD_X)" or " (from config file key k)".</summary>
    public string Describe() => Source switch
    {
        ValueSource.Environment => $" (from {Detail})",
        ValueSource.ConfigFile => $" (from config file key {Detail})",
        _ => string.Empty,
    };
}

/// <summary>A flag's value and where it came from.</summary>
public readonly record struct FlagValue(object? Value, FlagOrigin Origin)
{
    public bool IsExplicit => Origin.Source != ValueSource.Default;
}
