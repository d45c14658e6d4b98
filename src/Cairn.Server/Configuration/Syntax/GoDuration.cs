namespace Cairn.Server.Configuration.Syntax;

/// <summary>
/// Durations as Go's <c>time.ParseDuration</c> reads them ("300ms", "1h30m", "1.5s", "0"), with its error texts,
/// because etcd's duration flags and its auto-compaction retention use exactly that syntax.
/// </summary>
public static class GoDuration
{
    private const ulong MaxMagnitude = 1UL << 63;

    /// <summary>Parses <paramref name="s"/> into nanoseconds; returns null or the error Go would give.</summary>
    public static string? TryParseNanoseconds(string s, out long nanoseconds)
    {
        nanoseconds = 0;
        var original = s;
        var negative = false;
        if (s.Length > 0 && s[0] is '-' or '+')
        {
            negative = s[0] == '-';
            s = s[1..];
        }

        if (s == "0")
        {
            return null;
        }

        if (s.Length == 0)
        {
            return Invalid(original);
        }

        ulong total = 0;
        while (s.Length > 0)
        {
            if (!(s[0] == '.' || char.IsAsciiDigit(s[0])))
            {
                return Invalid(original);
            }

            var before = s.Length;
            if (!TryLeadingInt(ref s, out var whole))
            {
                return Invalid(original);
            }

            var hasWhole = before != s.Length;
            ulong fraction = 0;
            var scale = 1.0;
            var hasFraction = false;
            if (s.Length > 0 && s[0] == '.')
            {
                s = s[1..];
                var fractionStart = s.Length;
                LeadingFraction(ref s, out fraction, out scale);
                hasFraction = fractionStart != s.Length;
            }

            if (!hasWhole && !hasFraction)
            {
                return Invalid(original);
            }

            var unitLength = 0;
            while (unitLength < s.Length && s[unitLength] != '.' && !char.IsAsciiDigit(s[unitLength]))
            {
                unitLength++;
            }

            if (unitLength == 0)
            {
                return "time: missing unit in duration " + GoQuote.Quote(original);
            }

            var unitText = s[..unitLength];
            s = s[unitLength..];
            var unit = UnitNanoseconds(unitText);
            if (unit == 0)
            {
                return "time: unknown unit " + GoQuote.Quote(unitText) + " in duration " + GoQuote.Quote(original);
            }

            if (whole > MaxMagnitude / unit)
            {
                return Invalid(original);
            }

            whole *= unit;
            if (fraction > 0)
            {
                whole += (ulong)(fraction * (unit / scale));
                if (whole > MaxMagnitude)
                {
                    return Invalid(original);
                }
            }

            total += whole;
            if (total > MaxMagnitude)
            {
                return Invalid(original);
            }
        }

        if (negative)
        {
            nanoseconds = total == MaxMagnitude ? long.MinValue : -(long)total;
            return null;
        }

        if (total > MaxMagnitude - 1)
        {
            return Invalid(original);
        }

        nanoseconds = (long)total;
        return null;
    }

    /// <summary>Parses into a <see cref="TimeSpan"/> (100 ns resolution: anything finer is dropped).</summary>
    public static string? TryParse(string s, out TimeSpan value)
    {
        var error = TryParseNanoseconds(s, out var ns);
        value = FromNanoseconds(ns);
        return error;
    }

    public static TimeSpan FromNanoseconds(long nanoseconds) => TimeSpan.FromTicks(nanoseconds / 100);

    private static string Invalid(string original) => "time: invalid duration " + GoQuote.Quote(original);

    private static ulong UnitNanoseconds(string unit) => unit switch
    {
        "ns" => 1,
        "us" or "\u00b5s" or "\u03bcs" => 1_000,
        "ms" => 1_000_000,
        "s" => 1_000_000_000,
        "m" => 60_000_000_000,
        "h" => 3_600_000_000_000,
        _ => 0,
    };

    private static bool TryLeadingInt(ref string s, out ulong value)
    {
        value = 0;
        var i = 0;
        for (; i < s.Length && char.IsAsciiDigit(s[i]); i++)
        {
            if (value > (MaxMagnitude - 1) / 10)
            {
                return false;
            }

            value = (value * 10) + (ulong)(s[i] - '0');
            if (value > MaxMagnitude)
            {
                return false;
            }
        }

        s = s[i..];
        return true;
    }

    private static void LeadingFraction(ref string s, out ulong fraction, out double scale)
    {
        fraction = 0;
        scale = 1;
        var overflow = false;
        var i = 0;
        for (; i < s.Length && char.IsAsciiDigit(s[i]); i++)
        {
            if (overflow)
            {
                continue;
            }

            if (fraction > (MaxMagnitude - 1) / 10)
            {
                overflow = true;
                continue;
            }

            var next = (fraction * 10) + (ulong)(s[i] - '0');
            if (next > MaxMagnitude)
            {
                overflow = true;
                continue;
            }

            fraction = next;
            scale *= 10;
        }

        s = s[i..];
    }
}
