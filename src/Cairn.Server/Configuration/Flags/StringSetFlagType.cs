using System.Collections.Immutable;

namespace Cairn.Server.Configuration.Flags;

/// <summary>etcd's <c>UniqueStringsValue</c>: a comma-separated list kept as a sorted set of distinct words.</summary>
public sealed class StringSetFlagType : FlagValueType
{
    public static readonly StringSetFlagType Instance = new();

    private StringSetFlagType()
    {
    }

    public override FlagSetResult Set(object? current, string raw) =>
        FlagSetResult.Ok(ImmutableSortedSet.CreateRange(StringComparer.Ordinal, raw.Split(',')).ToImmutableArray());

    public override object? DefaultFrom(string text) => text.Length == 0 ? ImmutableArray<string>.Empty : base.DefaultFrom(text);
}
