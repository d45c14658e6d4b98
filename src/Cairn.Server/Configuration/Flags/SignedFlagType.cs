using Cairn.Server.Configuration.Syntax;

namespace Cairn.Server.Configuration.Flags;

/// <summary>Go's <c>flag.IntVar</c>/<c>Int64Var</c>.</summary>
public sealed class SignedFlagType : FlagValueType
{
    public static readonly SignedFlagType Int = new(64);
    public static readonly SignedFlagType Int64 = new(64);

    private SignedFlagType(int bits) => Bits = bits;

    public int Bits { get; }

    public override FlagSetResult Set(object? current, string raw) =>
        GoInteger.TryParseSigned(raw, Bits, out var value) switch
        {
            GoNumberError.None => FlagSetResult.Ok(value),
            GoNumberError.Range => FlagSetResult.Fail("value out of range"),
            _ => FlagSetResult.Fail("parse error"),
        };
}
