using System.Text;

namespace Cairn.Server.Grpc;

/// <summary>Go's <c>%q</c> for strings, because grpc-go puts quoted values in its error texts.</summary>
internal static class GoQuote
{
    public static string Quote(string value)
    {
        var builder = new StringBuilder(value.Length + 2);
        builder.Append('"');
        foreach (var rune in value.EnumerateRunes())
        {
            switch (rune.Value)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                case '\a': builder.Append("\\a"); break;
                case '\b': builder.Append("\\b"); break;
                case '\f': builder.Append("\\f"); break;
                case '\v': builder.Append("\\v"); break;
                default:
                    if (rune.Value < 0x20 || rune.Value == 0x7F)
                    {
                        builder.Append("\\x").Append(rune.Value.ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        builder.Append(rune.ToString());
                    }
                    break;
            }
        }
        builder.Append('"');
        return builder.ToString();
    }
}
