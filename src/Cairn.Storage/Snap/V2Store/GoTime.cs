using System.Globalization;

namespace Cairn.Storage.Snap.V2Store;

/// <summary>Go's <c>time.Time</c> in JSON (RFC 3339 with up to nanoseconds), as the v2 store writes expiry times.</summary>
internal static class GoTime
{
    /// <summary>How Go writes its zero time, which the v2 store uses for "never expires".</summary>
    public const string Zero = "0001-01-01T00:00:00Z";

    public static bool IsZero(string text) => text == Zero;

    public static DateTimeOffset Parse(string text) =>
        DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);

    /// <summary>RFC 3339 with trailing zeros of the fraction dropped, in UTC ("Z"), as Go's <c>time.RFC3339Nano</c>.</summary>
    public static string FormatUtc(DateTimeOffset time)
    {
        var utc = time.ToUniversalTime();
        string text = utc.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture);
        long fraction = utc.Ticks % TimeSpan.TicksPerSecond;
        if (fraction != 0)
        {
            text += "." + (fraction * 100).ToString("D9", CultureInfo.InvariantCulture).TrimEnd('0');
        }
        return text + "Z";
    }
}
