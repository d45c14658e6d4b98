using System.Collections.Immutable;

namespace Cairn.Server.Configuration.Flags;

/// <summary>etcd's <c>StringsValue</c>: a comma-separated list kept in the order given.</summary>
public sealed class StringListFlagType : FlagValueType
{
    public static readonly StringListFlagType Instance = new();

    private StringListFlagType()
    {
    }

    public override FlagSetResult Set(object? current, string raw) => FlagSetResult.Ok(raw.Split(',').ToImmutableArray());

    public override object? DefaultFrom(string text) => text.Length == 0 ? ImmutableArray<string>.Empty : base.DefaultFrom(text);
}
