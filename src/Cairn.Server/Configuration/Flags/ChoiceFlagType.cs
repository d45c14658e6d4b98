namespace Cairn.Server.Configuration.Flags;

/// <summary>etcd's <c>SelectiveStringValue</c>: one of a fixed set of words, else "invalid value".</summary>
public sealed class ChoiceFlagType : FlagValueType
{
    public ChoiceFlagType(params string[] choices) => Choices = choices;

    public IReadOnlyList<string> Choices { get; }

    public override FlagSetResult Set(object? current, string raw) =>
        Choices.Contains(raw, StringComparer.Ordinal) ? FlagSetResult.Ok(raw) : FlagSetResult.Fail("invalid value");
}
