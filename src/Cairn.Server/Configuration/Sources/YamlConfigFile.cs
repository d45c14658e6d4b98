using System.Collections.Immutable;
using System.Globalization;
using System.Numerics;
using Cairn.Server.Configuration.Flags;
using Cairn.Server.Configuration.Syntax;
using Cairn.Server.Logging;
using YamlDotNet.Core;

namespace Cairn.Server.Configuration.Sources;

/// <summary>
/// etcd's <c>--config-file</c>: YAML read the way etcd 3.4 reads it (YAML → JSON → Go structs), so the same files
/// are accepted and refused with the same messages. Each value must have its Go field's JSON type (durations are
/// integer nanoseconds; <c>auto-compaction-retention</c> must be a string), URL lists are comma-separated
/// strings, lists such as <c>log-outputs</c> are YAML sequences, TLS settings sit in the
/// <c>client-transport-security</c> / <c>peer-transport-security</c> blocks.
/// </summary>
/// <remarks>etcd ignores keys it does not know; cairn ignores them too but warns, naming each.</remarks>
public static class YamlConfigFile
{
    private const string Prefix = "error unmarshaling JSON: while decoding JSON: ";
    private static readonly string[] Blocks = ["client-transport-security", "peer-transport-security"];

    /// <summary>Reads a config file into flag values over etcd's defaults.</summary>
    /// <exception cref="ConfigurationException">The file cannot be read, is not YAML, or holds a value etcd refuses.</exception>
    public static FlagValues Read(string path, ImmutableArray<StartupNotice>.Builder notices)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationException(GoErrorText.Open(path, e));
        }

        return Parse(text, notices);
    }

    /// <summary>Reads config file text into flag values over etcd's defaults.</summary>
    public static FlagValues Parse(string text, ImmutableArray<StartupNotice>.Builder notices)
    {
        YamlValue? root;
        try
        {
            root = YamlValue.Load(text);
        }
        catch (YamlException e)
        {
            throw new ConfigurationException($"error converting YAML to JSON: yaml: line {e.Start.Line}: {e.Message}");
        }

        var values = FlagValues.Defaults;
        if (root is null || root.Kind == YamlKind.Null)
        {
            return values;
        }

        if (root.Kind != YamlKind.Mapping)
        {
            throw new ConfigurationException($"{Prefix}json: cannot unmarshal {root.JsonTypeName} into Go value of type embed.configYAML");
        }

        var topLevel = FlagTable.All.Where(f => f.Yaml is { Block: null }).ToList();
        WarnAboutUnknownKeys(root, topLevel, null, notices);

        // etcd decodes in two passes (its embed.Config, then its proxy settings); within a pass Go's JSON decoder
        // sees keys in sorted order and reports the first type error.
        var mainPass = topLevel.Where(f => f.Yaml!.GoStruct == "configYAML").ToList();
        var proxyPass = topLevel.Where(f => f.Yaml!.GoStruct == "configProxy").ToList();
        values = DecodePass(root, mainPass, includeBlocks: true, values);
        values = DecodePass(root, proxyPass, includeBlocks: false, values);
        return values;
    }

    private static FlagValues DecodePass(YamlValue root, List<FlagDefinition> flags, bool includeBlocks, FlagValues values)
    {
        string? firstError = null;
        var decoded = new List<(FlagDefinition Flag, YamlValue Value)>();
        foreach (var (key, value) in root.Entries.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            if (includeBlocks && Match(key, Blocks) is { } block)
            {
                firstError ??= DecodeBlock(block, value, decoded);
                continue;
            }

            var flag = MatchFlag(key, flags);
            if (flag is not null)
            {
                firstError ??= CheckType(flag.Yaml!, value);
                decoded.Add((flag, value));
            }
        }

        if (firstError is not null)
        {
            throw new ConfigurationException(Prefix + firstError);
        }

        foreach (var (flag, value) in decoded)
        {
            values = Apply(flag, value, values);
        }

        return values;
    }

    private static string? DecodeBlock(string block, YamlValue value, List<(FlagDefinition, YamlValue)> decoded)
    {
        if (value.Kind == YamlKind.Null)
        {
            return null;
        }

        if (value.Kind != YamlKind.Mapping)
        {
            return $"json: cannot unmarshal {value.JsonTypeName} into Go struct field configYAML.{block} of type embed.securityConfig";
        }

        var flags = FlagTable.All.Where(f => f.Yaml?.Block == block).ToList();
        string? firstError = null;
        foreach (var (key, inner) in value.Entries.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            var flag = MatchFlag(key, flags);
            if (flag is not null)
            {
                firstError ??= CheckType(flag.Yaml!, inner);
                decoded.Add((flag, inner));
            }
        }

        return firstError;
    }

    /// <summary>Go's JSON decoding rules for the field's type; returns its error text, or null.</summary>
    private static string? CheckType(YamlBinding binding, YamlValue value)
    {
        if (value.Kind == YamlKind.Null)
        {
            return null;
        }

        string Mismatch(string what, string goType) =>
            $"json: cannot unmarshal {what} into Go struct field {binding.GoStruct}.{binding.Path} of type {goType}";

        switch (binding.Shape)
        {
            case YamlShape.String:
                return value.Kind == YamlKind.String || (binding.CoercesScalarsToString && value.Kind is YamlKind.Number or YamlKind.Bool)
                    ? null
                    : Mismatch(value.JsonTypeName, binding.GoType);
            case YamlShape.Bool:
                return value.Kind == YamlKind.Bool ? null : Mismatch(value.JsonTypeName, binding.GoType);
            case YamlShape.Unsigned or YamlShape.Signed or YamlShape.DurationNanoseconds:
                if (value.Kind != YamlKind.Number)
                {
                    return Mismatch(value.JsonTypeName, binding.GoType);
                }

                return IntegerInRange(binding, value) is null ? Mismatch("number " + value.NumberText, binding.GoType) : null;
            case YamlShape.StringList:
                if (value.Kind != YamlKind.Sequence)
                {
                    return Mismatch(value.JsonTypeName, binding.GoType);
                }

                var bad = value.Items.FirstOrDefault(item => item.Kind is not (YamlKind.String or YamlKind.Null));
                return bad is null ? null : Mismatch(bad.JsonTypeName, "string");
            default:
                return null;
        }
    }

    private static BigInteger? IntegerInRange(YamlBinding binding, YamlValue value)
    {
        if (value.Integer is not { } integer)
        {
            return null;
        }

        var (min, max) = binding.GoType switch
        {
            "uint32" => (BigInteger.Zero, (BigInteger)uint.MaxValue),
            "uint" or "uint64" => (BigInteger.Zero, (BigInteger)ulong.MaxValue),
            _ => ((BigInteger)long.MinValue, (BigInteger)long.MaxValue),
        };
        return integer >= min && integer <= max ? integer : null;
    }

    private static FlagValues Apply(FlagDefinition flag, YamlValue value, FlagValues values)
    {
        var binding = flag.Yaml!;
        var origin = new FlagOrigin(ValueSource.ConfigFile, binding.Path);
        if (value.Kind == YamlKind.Null)
        {
            // JSON null leaves a Go field alone, except a slice, which it empties.
            return binding.Shape == YamlShape.StringList ? values.With(flag.Name, ImmutableArray<string>.Empty, origin) : values;
        }

        switch (binding.Shape)
        {
            case YamlShape.Bool:
                return values.With(flag.Name, value.BoolValue, origin);
            case YamlShape.Unsigned:
                return values.With(flag.Name, (ulong)IntegerInRange(binding, value)!.Value, origin);
            case YamlShape.Signed:
                return values.With(flag.Name, (long)IntegerInRange(binding, value)!.Value, origin);
            case YamlShape.DurationNanoseconds:
                return values.With(flag.Name, GoDuration.FromNanoseconds((long)IntegerInRange(binding, value)!.Value), origin);
            case YamlShape.StringList:
                return values.With(flag.Name, value.Items.Select(i => i.Text).ToImmutableArray(), origin);
        }

        var text = value.ScalarAsString;
        switch (binding.Apply)
        {
            case YamlApply.UrlListFromString:
                if (text.Length == 0)
                {
                    return values;
                }

                var urlError = GoUrl.TryParseList(text.Split(','), out var urls);
                if (urlError is not null)
                {
                    throw new ConfigurationException($"unexpected error setting up {binding.Key}: {urlError}") { PrintBare = true };
                }

                var set = new UrlSet(ImmutableSortedSet.CreateRange(StringComparer.Ordinal, urls.Select(u => u.ToString())), [.. urls]);
                return values.With(flag.Name, set, origin);
            case YamlApply.UrlSetFromString or YamlApply.StringSetFromString or YamlApply.Choice:
                if (text.Length == 0)
                {
                    return values;
                }

                var result = flag.Type.Set(binding.Apply == YamlApply.Choice ? values[flag.Name].Value : null, text);
                if (result.Error is not null)
                {
                    var what = flag.Name == "proxy" ? "proxyFlag" : binding.Apply == YamlApply.Choice ? binding.Key + " flag" : binding.Key;
                    throw new ConfigurationException($"unexpected error setting up {what}: {result.Error}") { PrintBare = true };
                }

                return values.With(flag.Name, result.Value, origin);
            default:
                return values.With(flag.Name, text, origin);
        }
    }

    private static void WarnAboutUnknownKeys(YamlValue root, List<FlagDefinition> topLevel, string? block, ImmutableArray<StartupNotice>.Builder notices)
    {
        foreach (var (key, value) in root.Entries)
        {
            if (block is null && Match(key, Blocks) is { } nested)
            {
                if (value.Kind == YamlKind.Mapping)
                {
                    WarnAboutUnknownKeys(value, FlagTable.All.Where(f => f.Yaml?.Block == nested).ToList(), nested, notices);
                }

                continue;
            }

            if (MatchFlag(key, topLevel) is null)
            {
                var path = block is null ? key : block + "." + key;
                notices.Add(new StartupNotice(LogLevel.Warn, "etcdmain", "ignoring unknown key in configuration file",
                    [new LogField("key", path)], $"ignoring unknown key {GoQuote.Quote(path)} in configuration file"));
            }
        }
    }

    /// <summary>Go's JSON field matching: the exact key first, else a case-insensitive one.</summary>
    private static FlagDefinition? MatchFlag(string key, List<FlagDefinition> flags) =>
        flags.FirstOrDefault(f => f.Yaml!.Key == key) ??
        flags.FirstOrDefault(f => string.Equals(f.Yaml!.Key, key, StringComparison.OrdinalIgnoreCase));

    private static string? Match(string key, string[] names) =>
        names.FirstOrDefault(n => n == key) ?? names.FirstOrDefault(n => string.Equals(n, key, StringComparison.OrdinalIgnoreCase));
}
