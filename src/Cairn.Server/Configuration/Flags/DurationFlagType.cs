using Cairn.Server.Configuration.Syntax;

namespace Cairn.Server.Configuration.Flags;

/// <summary>Go's <c>flag.DurationVar</c>: time.ParseDuration syntax ("5s", "2h", "100ms").</summary>
public sealed class DurationFlagType : FlagValueType
{
    public static readonly DurationFlagType Instance = new();

    private DurationFlagType()
    {
    }

    public override FlagSetResult Set(object? current, string raw) =>
        GoDuration.TryParse(raw, out var value) is null ? FlagSetResult.Ok(value) : FlagSetResult.Fail("parse error");
}
