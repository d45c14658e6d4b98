namespace Cairn.Server.Configuration.Flags;

/// <summary>
/// Everything about one etcd flag, in one place: its name (and so its <c>ETCD_*</c> variable), how it takes
/// a value, its default, its line in <c>--help</c>, its key in the config file, and how far cairn supports it.
/// </summary>
public sealed class FlagDefinition
{
    public FlagDefinition(string name, FlagValueType type, string defaultText, FlagSection section, string helpDefault, string help)
    {
        Name = name;
        Type = type;
        DefaultText = defaultText;
        Section = section;
        HelpDefault = helpDefault;
        Help = help;
        DefaultValue = type.DefaultFrom(defaultText);
        EnvironmentVariable = "ETCD_" + name.Replace('-', '_').ToUpperInvariant();
    }

    /// <summary>The flag's name without dashes ("listen-client-urls").</summary>
    public string Name { get; }

    public FlagValueType Type { get; }

    /// <summary>etcd's default written as the flag would take it ("" for an empty list).</summary>
    public string DefaultText { get; }

    /// <summary>The default as a parsed value (string, bool, ulong, long, TimeSpan, UrlSet, or a string list).</summary>
    public object? DefaultValue { get; }

    /// <summary>The environment variable that sets the flag when it is not given: ETCD_ and the name in capitals.</summary>
    public string EnvironmentVariable { get; }

    public FlagSection Section { get; }

    /// <summary>The default as <c>etcd --help</c> shows it, quotes included ("'default'", "10").</summary>
    public string HelpDefault { get; }

    /// <summary>The help text, one or more lines, as <c>etcd --help</c> shows it.</summary>
    public string Help { get; }

    /// <summary>The flag's place in the config file, or null when etcd's config file has no key for it.</summary>
    public YamlBinding? Yaml { get; init; }

    public FlagSupport Support { get; init; } = FlagSupport.Supported;

    public override string ToString() => "--" + Name;
}
