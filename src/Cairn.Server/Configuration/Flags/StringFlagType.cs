namespace Cairn.Server.Configuration.Flags;

/// <summary>Go's <c>flag.StringVar</c>: any text.</summary>
public sealed class StringFlagType : FlagValueType
{
    public static readonly StringFlagType Instance = new();

    private StringFlagType()
    {
    }

    public override FlagSetResult Set(object? current, string raw) => FlagSetResult.Ok(raw);
}
