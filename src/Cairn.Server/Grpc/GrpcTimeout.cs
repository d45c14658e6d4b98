using System.Globalization;

namespace Cairn.Server.Grpc;

/// <summary>
/// The <c>grpc-timeout</c> header: up to 8 digits and a unit (H, M, S, m, u, n). Parsing and
/// errors follow grpc-go, which is what etcd clients talk to.
/// </summary>
public static class GrpcTimeout
{
    private const long MaxValue = 99_999_999;

    /// <summary>Parses a header value; on failure <paramref name="error"/> says why, in grpc-go's words.</summary>
    public static bool TryParse(string value, out TimeSpan timeout, out string? error)
    {
        timeout = default;
        error = null;
        if (value.Length < 2)
        {
            error = $"transport: timeout string is too short: {GoQuote.Quote(value)}";
            return false;
        }
        if (value.Length > 9)
        {
            error = $"transport: timeout string is too long: {GoQuote.Quote(value)}";
            return false;
        }
        long ticksPerUnit;
        switch (value[^1])
        {
            case 'H': ticksPerUnit = TimeSpan.TicksPerHour; break;
            case 'M': ticksPerUnit = TimeSpan.TicksPerMinute; break;
            case 'S': ticksPerUnit = TimeSpan.TicksPerSecond; break;
            case 'm': ticksPerUnit = TimeSpan.TicksPerMillisecond; break;
            case 'u': ticksPerUnit = TimeSpan.TicksPerMicrosecond; break;
            case 'n': ticksPerUnit = 0; break;
            default:
                error = $"transport: timeout unit is not recognized: {GoQuote.Quote(value)}";
                return false;
        }
        var digits = value.AsSpan(0, value.Length - 1);
        if (!long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var amount))
        {
            error = $"strconv.ParseInt: parsing {GoQuote.Quote(digits.ToString())}: invalid syntax";
            return false;
        }
        // Nanoseconds round up to a whole tick so that a tiny timeout is still a timeout.
        timeout = ticksPerUnit == 0
            ? TimeSpan.FromTicks((amount + 99) / 100)
            : TimeSpan.FromTicks(amount * ticksPerUnit);
        return true;
    }

    /// <summary>Formats a timeout as grpc-go does: the finest unit whose amount fits in 8 digits.</summary>
    public static string Format(TimeSpan timeout)
    {
        if (timeout <= TimeSpan.Zero)
        {
            return "0n";
        }
        var ticks = timeout.Ticks;
        if (ticks <= MaxValue / 100)
        {
            return (ticks * 100).ToString(CultureInfo.InvariantCulture) + "n";
        }
        ReadOnlySpan<(long TicksPerUnit, char Unit)> units =
        [
            (TimeSpan.TicksPerMicrosecond, 'u'),
            (TimeSpan.TicksPerMillisecond, 'm'),
            (TimeSpan.TicksPerSecond, 'S'),
            (TimeSpan.TicksPerMinute, 'M'),
        ];
        foreach (var (perUnit, unit) in units)
        {
            // Rounds up, as grpc-go does, so the server never sees a shorter deadline than ours.
            var amount = (ticks + perUnit - 1) / perUnit;
            if (amount <= MaxValue)
            {
                return amount.ToString(CultureInfo.InvariantCulture) + unit;
            }
        }
        var hours = Math.Min(MaxValue, (ticks + TimeSpan.TicksPerHour - 1) / TimeSpan.TicksPerHour);
        return hours.ToString(CultureInfo.InvariantCulture) + "H";
    }
}
