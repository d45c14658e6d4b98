using Cairn.Server.Configuration.Syntax;

namespace Cairn.Server.Configuration.Flags;

/// <summary>Go's <c>flag.BoolVar</c>: strconv.ParseBool values; bare "--flag" means true.</summary>
public sealed class BoolFlagType : FlagValueType
{
    public static readonly BoolFlagType Instance = new();

    private BoolFlagType()
    {
    }

    public override bool IsBoolean => true;

    public override FlagSetResult Set(object? current, string raw) =>
        GoBool.TryParse(raw, out var value) ? FlagSetResult.Ok(value) : FlagSetResult.Fail("parse error");
}
