using Cairn.Tests.Processes;

namespace Cairn.Tests.Oracle;

/// <summary>How a step's result is written in a scenario: stdout as is, stderr lines after "! ", a non-zero exit status last.</summary>
public static class Transcript
{
    public static List<string> Of(CommandResult result)
    {
        var lines = SplitLines(result.Stdout);
        lines.AddRange(SplitLines(result.Stderr).Select(l => ("! " + l).TrimEnd()));
        if (result.ExitCode != 0)
        {
            lines.Add($"[exit {result.ExitCode}]");
        }

        return lines;
    }

    /// <summary>
    /// curl -i's response with the header lines sorted and their names lower-cased (HTTP gives neither order nor case a
    /// meaning) and the Date value set aside.
    /// </summary>
    public static List<string> OfHttpResponse(CommandResult curl)
    {
        if (!curl.Succeeded)
        {
            return Of(curl);
        }

        var text = curl.Stdout.Replace("\r\n", "\n", StringComparison.Ordinal);
        var end = text.IndexOf("\n\n", StringComparison.Ordinal);
        var head = (end < 0 ? text : text[..end]).Split('\n');
        var lines = new List<string> { head[0] };
        lines.AddRange(head.Skip(1).Select(h =>
        {
            var colon = h.IndexOf(':', StringComparison.Ordinal);
            var name = h[..colon].ToLowerInvariant();
            return name == "date" ? "date: <date>" : name + h[colon..];
        }).Order(StringComparer.Ordinal));
        lines.Add("");
        lines.AddRange(SplitLines(end < 0 ? "" : text[(end + 2)..]));
        return lines;
    }

    private static List<string> SplitLines(string text)
    {
        if (text.Length == 0)
        {
            return [];
        }

        var lines = text.Split('\n').ToList();
        if (lines[^1].Length == 0)
        {
            lines.RemoveAt(lines.Count - 1);
        }

        return lines;
    }
}
