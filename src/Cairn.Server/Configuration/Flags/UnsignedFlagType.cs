using Cairn.Server.Configuration.Syntax;

namespace Cairn.Server.Configuration.Flags;

/// <summary>
/// Go's <c>flag.UintVar</c>/<c>Uint64Var</c> (errors "parse error", "value out of range"), or etcd's own
/// uint32 flag, which reports strconv's full text instead.
/// </summary>
public sealed class UnsignedFlagType : FlagValueType
{
    public static readonly UnsignedFlagType Uint = new(64, strconvErrors: false);
    public static readonly UnsignedFlagType Uint64 = new(64, strconvErrors: false);
    public static readonly UnsignedFlagType Uint32 = new(32, strconvErrors: true);

    private readonly bool _strconvErrors;

    private UnsignedFlagType(int bits, bool strconvErrors)
    {
        Bits = bits;
        _strconvErrors = strconvErrors;
    }

    public int Bits { get; }

    public override FlagSetResult Set(object? current, string raw)
    {
        var error = GoInteger.TryParseUnsigned(raw, Bits, out var value);
        return error switch
        {
            GoNumberError.None => FlagSetResult.Ok(value),
            GoNumberError.Range when _strconvErrors => FlagSetResult.Fail($"strconv.ParseUint: parsing {GoQuote.Quote(raw)}: value out of range"),
            GoNumberError.Syntax when _strconvErrors => FlagSetResult.Fail($"strconv.ParseUint: parsing {GoQuote.Quote(raw)}: invalid syntax"),
            GoNumberError.Range => FlagSetResult.Fail("value out of range"),
            _ => FlagSetResult.Fail("parse error"),
        };
    }
}
