using System.Globalization;
using System.Text;

namespace Cairn.Server.Configuration.Syntax;

/// <summary>
/// Go's <c>%q</c> verb, because etcd's error messages quote values with it and operators' scripts match on them.
/// </summary>
public static class GoQuote
{
    public static string Quote(string s)
    {
        var sb = new StringBuilder(s.Length + 2);
        sb.Append('"');
        foreach (var rune in s.EnumerateRunes())
        {
            switch (rune.Value)
            {
                case '"':
                    sb.Append("\\\"");
                    break;
                case '\\':
                    sb.Append("\\\\");
                    break;
                case '\a':
                    sb.Append("\\a");
                    break;
                case '\b':
                    sb.Append("\\b");
                    break;
                case '\f':
                    sb.Append("\\f");
                    break;
                case '\n':
                    sb.Append("\\n");
                    break;
                case '\r':
                    sb.Append("\\r");
                    break;
                case '\t':
                    sb.Append("\\t");
                    break;
                case '\v':
                    sb.Append("\\v");
                    break;
                default:
                    if (rune.Value < 0x20 || rune.Value == 0x7f)
                    {
                        sb.Append("\\x").Append(rune.Value.ToString("x2", CultureInfo.InvariantCulture));
                    }
                    else if (Rune.GetUnicodeCategory(rune) is UnicodeCategory.Control or UnicodeCategory.Format
                             or UnicodeCategory.Surrogate or UnicodeCategory.OtherNotAssigned)
                    {
                        sb.Append(rune.Value > 0xffff ? "\\U" : "\\u")
                          .Append(rune.Value.ToString(rune.Value > 0xffff ? "x8" : "x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(rune.ToString());
                    }

                    break;
            }
        }

        return sb.Append('"').ToString();
    }

    /// <summary>Go's <c>%q</c> of a <c>[]string</c>: <c>["a" "b"]</c>.</summary>
    public static string QuoteList(IEnumerable<string> values) => "[" + string.Join(' ', values.Select(Quote)) + "]";
}
