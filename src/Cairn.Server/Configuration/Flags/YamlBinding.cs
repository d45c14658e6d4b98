namespace Cairn.Server.Configuration.Flags;

/// <summary>The JSON type a YAML value must have for a key, as etcd's Go struct field declares it.</summary>
public enum YamlShape
{
    String,
    Bool,
    Unsigned,
    Signed,
    StringList,

    /// <summary>A <c>time.Duration</c> field: in etcd's config file it is an integer count of nanoseconds.</summary>
    DurationNanoseconds,
}

/// <summary>What etcd does with a YAML value once it has the declared type.</summary>
public enum YamlApply
{
    /// <summary>The value is the flag's value as it is.</summary>
    Direct,

    /// <summary>A comma-separated URL list in a string ("listen-client-urls"); empty means the default.</summary>
    UrlListFromString,

    /// <summary>A comma-separated URL set with "*" allowed ("cors"); empty means the default.</summary>
    UrlSetFromString,

    /// <summary>A comma-separated word set ("host-whitelist"); empty means the default.</summary>
    StringSetFromString,

    /// <summary>One of the flag's choices ("proxy", "discovery-fallback"); empty means the default.</summary>
    Choice,
}

/// <summary>
/// Where a flag lives in etcd's config file (its <c>configYAML</c> / <c>configProxy</c> JSON tags) and how
/// etcd reads it. Go's field types matter: etcd's config file accepts a number only for a number field and
/// a string only for a string field, so <c>auto-compaction-retention: 1</c> is refused but <c>"1"</c> works.
/// </summary>
public sealed record YamlBinding(string Key, YamlShape Shape, string GoType, YamlApply Apply = YamlApply.Direct)
{
    /// <summary>The nested block the key sits in ("client-transport-security"), or null at the top level.</summary>
    public string? Block { get; init; }

    /// <summary>The Go struct etcd decodes this key into; it appears in etcd's type error messages.</summary>
    public string GoStruct { get; init; } = "configYAML";

    /// <summary>
    /// True for the keys etcd decodes a second time into its proxy settings, where the YAML library does turn
    /// numbers and booleans into strings (so <c>proxy: off</c> becomes "false").
    /// </summary>
    public bool CoercesScalarsToString { get; init; }

    /// <summary>The full dotted key, as etcd's error messages name it.</summary>
    public string Path => Block is null ? Key : Block + "." + Key;

    public static YamlBinding Str(string key) => new(key, YamlShape.String, "string");

    public static YamlBinding Bool(string key) => new(key, YamlShape.Bool, "bool");

    public static YamlBinding Unsigned(string key, string goType = "uint") => new(key, YamlShape.Unsigned, goType);

    public static YamlBinding Signed(string key, string goType = "int") => new(key, YamlShape.Signed, goType);

    public static YamlBinding Duration(string key) => new(key, YamlShape.DurationNanoseconds, "time.Duration");

    public static YamlBinding Strings(string key) => new(key, YamlShape.StringList, "[]string");

    public static YamlBinding Urls(string key) => new(key, YamlShape.String, "string", YamlApply.UrlListFromString);

    public static YamlBinding Proxy(string key, YamlShape shape, string goType, YamlApply apply = YamlApply.Direct) =>
        new(key, shape, goType, apply) { GoStruct = "configProxy", CoercesScalarsToString = true };

    public static YamlBinding Tls(string block, string key, YamlShape shape, string goType) =>
        new(key, shape, goType) { Block = block, GoStruct = "securityConfig" };
}
