using System.Collections.Immutable;

namespace Cairn.Server.Configuration.Flags;

/// <summary>
/// The value of every flag in the table and where each came from, starting from etcd's defaults. Immutable:
/// each change gives a new set.
/// </summary>
public sealed class FlagValues
{
    private readonly ImmutableDictionary<string, FlagValue> _values;

    private FlagValues(ImmutableDictionary<string, FlagValue> values) => _values = values;

    /// <summary>etcd's defaults for every flag.</summary>
    public static FlagValues Defaults { get; } = new(FlagTable.All.ToImmutableDictionary(
        f => f.Name, f => new FlagValue(f.DefaultValue, FlagOrigin.Default), StringComparer.Ordinal));

    public FlagValue this[string name] => _values.TryGetValue(name, out var v) ? v : throw new ArgumentException($"no flag named {name}", nameof(name));

    /// <summary>Go's <c>flags.IsSet</c>: given on the command line, by an environment variable, or in the config file.</summary>
    public bool IsSet(string name) => this[name].IsExplicit;

    public FlagValues With(string name, object? value, FlagOrigin origin) => new(_values.SetItem(name, new FlagValue(value, origin)));

    public string String(string name) => (string)this[name].Value!;

    public bool Bool(string name) => (bool)this[name].Value!;

    public ulong Unsigned(string name) => (ulong)this[name].Value!;

    public long Signed(string name) => (long)this[name].Value!;

    public TimeSpan Duration(string name) => (TimeSpan)this[name].Value!;

    public UrlSet Urls(string name) => (UrlSet)this[name].Value!;

    public ImmutableArray<string> Strings(string name) => (ImmutableArray<string>)this[name].Value!;

    /// <summary>Every flag with its definition and value, in table order.</summary>
    public IEnumerable<(FlagDefinition Flag, FlagValue Value)> Each() => FlagTable.All.Select(f => (f, this[f.Name]));
}
