namespace Cairn.Server.Configuration.Syntax;

/// <summary>Why Go's strconv rejected a number: the two cases its flag package tells apart.</summary>
public enum GoNumberError
{
    None,
    /// <summary>strconv.ErrSyntax; Go's flag package reports it as "parse error".</summary>
    Syntax,
    /// <summary>strconv.ErrRange; Go's flag package reports it as "value out of range".</summary>
    Range,
}

/// <summary>
/// Integers as Go's <c>strconv.ParseInt(s, 0, bits)</c> / <c>ParseUint(s, 0, bits)</c> read them, because
/// etcd's integer flags accept exactly that: base prefixes (0x, 0o, 0b, a leading 0 for octal),
/// underscores between digits, a sign for signed types only.
/// </summary>
public static class GoInteger
{
    public static GoNumberError TryParseUnsigned(string s, int bitSize, out ulong value)
    {
        value = 0;
        if (s.Length == 0)
        {
            return GoNumberError.Syntax;
        }

        var baseValue = 10;
        var digits = s.AsSpan();
        var prefixed = false;
        if (s[0] == '0')
        {
            if (s.Length >= 3 && (s[1] is 'x' or 'X'))
            {
                baseValue = 16;
                digits = digits[2..];
                prefixed = true;
            }
            else if (s.Length >= 3 && (s[1] is 'o' or 'O'))
            {
                baseValue = 8;
                digits = digits[2..];
                prefixed = true;
            }
            else if (s.Length >= 3 && (s[1] is 'b' or 'B'))
            {
                baseValue = 2;
                digits = digits[2..];
                prefixed = true;
            }
            else if (s.Length > 1)
            {
                baseValue = 8;
                digits = digits[1..];
                prefixed = true;
            }
        }

        var maxValue = bitSize >= 64 ? ulong.MaxValue : (1UL << bitSize) - 1;
        var sawUnderscore = false;
        ulong n = 0;
        foreach (var c in digits)
        {
            if (c == '_')
            {
                sawUnderscore = true;
                continue;
            }

            int d;
            if (c is >= '0' and <= '9')
            {
                d = c - '0';
            }
            else if (c is >= 'a' and <= 'z')
            {
                d = c - 'a' + 10;
            }
            else if (c is >= 'A' and <= 'Z')
            {
                d = c - 'A' + 10;
            }
            else
            {
                return GoNumberError.Syntax;
            }

            if (d >= baseValue)
            {
                return GoNumberError.Syntax;
            }

            if (n > (maxValue - (ulong)d) / (ulong)baseValue)
            {
                value = maxValue;
                return GoNumberError.Range;
            }

            n = (n * (ulong)baseValue) + (ulong)d;
        }

        if (sawUnderscore && !UnderscoresAreWellPlaced(s))
        {
            return GoNumberError.Syntax;
        }

        if (digits.IsEmpty && prefixed)
        {
            return GoNumberError.Syntax;
        }

        value = n;
        return GoNumberError.None;
    }

    public static GoNumberError TryParseSigned(string s, int bitSize, out long value)
    {
        value = 0;
        if (s.Length == 0)
        {
            return GoNumberError.Syntax;
        }

        var negative = s[0] == '-';
        var unsignedPart = s[0] is '+' or '-' ? s[1..] : s;
        var error = TryParseUnsigned(unsignedPart, 64, out var magnitude);
        if (error == GoNumberError.Syntax)
        {
            return error;
        }

        var cutoff = 1UL << (bitSize - 1);
        if (error == GoNumberError.Range || (!negative && magnitude >= cutoff) || (negative && magnitude > cutoff))
        {
            value = negative ? -(long)(cutoff - 1) - 1 : (long)(cutoff - 1);
            return GoNumberError.Range;
        }

        value = negative ? (long)(0 - magnitude) : (long)magnitude;
        return GoNumberError.None;
    }

    /// <summary>Go's underscoreOK: underscores only between digits or right after a base prefix.</summary>
    private static bool UnderscoresAreWellPlaced(string s)
    {
        // 'saw' is '^' at the start, '0' after a prefix or digit, '_' after an underscore, '!' otherwise.
        var saw = '^';
        var i = 0;
        if (s.Length >= 1 && s[0] is '-' or '+')
        {
            s = s[1..];
        }

        var hex = false;
        if (s.Length >= 2 && s[0] == '0' && char.ToLowerInvariant(s[1]) is 'b' or 'o' or 'x')
        {
            i = 2;
            saw = '0';
            hex = char.ToLowerInvariant(s[1]) == 'x';
        }

        for (; i < s.Length; i++)
        {
            var c = s[i];
            if (c is >= '0' and <= '9' || (hex && char.ToLowerInvariant(c) is >= 'a' and <= 'f'))
            {
                saw = '0';
                continue;
            }

            if (c == '_')
            {
                if (saw != '0')
                {
                    return false;
                }

                saw = '_';
                continue;
            }

            if (saw == '_')
            {
                return false;
            }

            saw = '!';
        }

        return saw != '_';
    }
}
