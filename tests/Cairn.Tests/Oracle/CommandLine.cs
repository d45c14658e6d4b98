using System.Text;
using System.Text.RegularExpressions;

namespace Cairn.Tests.Oracle;

/// <summary>
/// Splits a scenario's command line into arguments as a POSIX shell would for the quoting scenarios use ('single',
/// "double" with \" and \\, backslash outside quotes), then expands <c>{c*N}</c> into N copies of c (large values
/// without a large file).
/// </summary>
public static partial class CommandLine
{
    public static IReadOnlyList<string> Split(string line)
    {
        var args = new List<string>();
        var current = new StringBuilder();
        var inArgument = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            switch (c)
            {
                case ' ' or '\t':
                    if (inArgument)
                    {
                        args.Add(Expand(current.ToString()));
                        current.Clear();
                        inArgument = false;
                    }

                    continue;
                case '\'':
                    var close = line.IndexOf('\'', i + 1);
                    if (close < 0)
                    {
                        throw new FormatException($"unterminated ' in: {line}");
                    }

                    current.Append(line, i + 1, close - i - 1);
                    i = close;
                    break;
                case '"':
                    for (i++; i < line.Length && line[i] != '"'; i++)
                    {
                        if (line[i] == '\\' && i + 1 < line.Length && line[i + 1] is '"' or '\\')
                        {
                            i++;
                        }

                        current.Append(line[i]);
                    }

                    if (i == line.Length)
                    {
                        throw new FormatException($"unterminated \" in: {line}");
                    }

                    break;
                case '\\' when i + 1 < line.Length:
                    current.Append(line[++i]);
                    break;
                default:
                    current.Append(c);
                    break;
            }

            inArgument = true;
        }

        if (inArgument)
        {
            args.Add(Expand(current.ToString()));
        }

        return args;
    }

    /// <summary>Replaces every <c>{c*N}</c> with N copies of the character c.</summary>
    public static string Expand(string text) =>
        Repeat().Replace(text, m => new string(m.Groups[1].Value[0], int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture)));

    [GeneratedRegex(@"\{(.)\*(\d+)\}")]
    private static partial Regex Repeat();
}
