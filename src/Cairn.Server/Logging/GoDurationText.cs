using System.Globalization;
using System.Text;

namespace Cairn.Server.Logging;

/// <summary>Go's <c>time.Duration.String()</c> ("0s", "1.5µs", "100ms", "1h2m3.5s"), which etcd's logs use.</summary>
public static class GoDurationText
{
    public static string Format(TimeSpan value) => Format(value.Ticks * 100);

    public static string Format(long nanoseconds)
    {
        if (nanoseconds == 0)
        {
            return "0s";
        }

        var negative = nanoseconds < 0;
        var u = negative ? (ulong)(-(nanoseconds + 1)) + 1 : (ulong)nanoseconds;
        var sb = new StringBuilder();
        if (u < 1_000_000_000)
        {
            // Under a second: one unit with a decimal fraction.
            if (u < 1_000)
            {
                sb.Append(u.ToString(CultureInfo.InvariantCulture)).Append("ns");
            }
            else if (u < 1_000_000)
            {
                AppendFraction(sb, u, 3);
                sb.Append("\u00b5s");
            }
            else
            {
                AppendFraction(sb, u, 6);
                sb.Append("ms");
            }
        }
        else
        {
            var seconds = u / 1_000_000_000;
            var fraction = u % 1_000_000_000;
            var hours = seconds / 3600;
            var minutes = seconds / 60 % 60;
            seconds %= 60;
            if (hours > 0)
            {
                sb.Append(hours.ToString(CultureInfo.InvariantCulture)).Append('h');
            }

            if (hours > 0 || minutes > 0)
            {
                sb.Append(minutes.ToString(CultureInfo.InvariantCulture)).Append('m');
            }

            AppendFraction(sb, (seconds * 1_000_000_000) + fraction, 9);
            sb.Append('s');
        }

        return negative ? "-" + sb : sb.ToString();
    }

    private static void AppendFraction(StringBuilder sb, ulong value, int precision)
    {
        var scale = 1UL;
        for (var i = 0; i < precision; i++)
        {
            scale *= 10;
        }

        sb.Append((value / scale).ToString(CultureInfo.InvariantCulture));
        var fraction = value % scale;
        if (fraction == 0)
        {
            return;
        }

        var digits = fraction.ToString(CultureInfo.InvariantCulture).PadLeft(precision, '0').TrimEnd('0');
        sb.Append('.').Append(digits);
    }
}
