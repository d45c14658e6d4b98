using System.Text;

namespace Cairn.Tests.Oracle;

/// <summary>Reads and writes the scenario format (Scenarios/README.md): a header, then <c>$ command</c> blocks each followed by its transcript.</summary>
public static class ScenarioFile
{
    public const string Extension = ".scenario";
    private const string CommandPrefix = "$ ";
    private const string CommentPrefix = "#";
    private const string ServerFlagsPrefix = "server:";
    private const string HereDocument = "<<EOF";
    private const string HereDocumentEnd = "EOF";

    public static string Directory => Path.Combine(ExecutableTests.RepositoryRoot(), "tests", "Cairn.Tests", "Oracle", "Scenarios");

    public static IEnumerable<string> Names() =>
        System.IO.Directory.EnumerateFiles(Directory, "*" + Extension).Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal)!;

    public static string PathOf(string name) => Path.Combine(Directory, name + Extension);

    public static Scenario Load(string name) => Parse(name, File.ReadAllText(PathOf(name)));

    public static Scenario Parse(string name, string text)
    {
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var header = new List<string>();
        var flags = new List<string>();
        var steps = new List<ScenarioStep>();
        var i = 0;
        for (; i < lines.Length && !lines[i].StartsWith(CommandPrefix, StringComparison.Ordinal); i++)
        {
            if (lines[i].StartsWith(ServerFlagsPrefix, StringComparison.Ordinal))
            {
                flags.AddRange(CommandLine.Split(lines[i][ServerFlagsPrefix.Length..]));
            }

            header.Add(lines[i]);
        }

        // Comments just above the first command belong to it, not to the header.
        var comments = TakeTrailingComments(header);
        TrimTrailingBlankLines(header);
        while (i < lines.Length)
        {
            var command = lines[i++][CommandPrefix.Length..];
            string? stdin = null;
            if (command.EndsWith(HereDocument, StringComparison.Ordinal))
            {
                command = command[..^HereDocument.Length].TrimEnd();
                var input = new StringBuilder();
                for (; i < lines.Length && lines[i] != HereDocumentEnd; i++)
                {
                    input.Append(lines[i]).Append('\n');
                }

                if (i == lines.Length)
                {
                    throw new FormatException($"{name}: the here-document of '$ {command}' has no closing {HereDocumentEnd} line");
                }

                i++;
                stdin = input.ToString();
            }

            var transcript = new List<string>();
            for (; i < lines.Length && !lines[i].StartsWith(CommandPrefix, StringComparison.Ordinal); i++)
            {
                transcript.Add(lines[i]);
            }

            var nextComments = TakeTrailingComments(transcript);
            TrimTrailingBlankLines(transcript);
            steps.Add(new ScenarioStep(comments, command, stdin, transcript));
            comments = nextComments;
        }

        return new Scenario(name, header, flags, steps);
    }

    /// <summary>The scenario as a file, each step's transcript replaced by <paramref name="transcripts"/> (recording).</summary>
    public static string Format(Scenario scenario, IReadOnlyList<IReadOnlyList<string>> transcripts)
    {
        var text = new StringBuilder();
        foreach (var line in scenario.Header)
        {
            text.Append(line).Append('\n');
        }

        for (var s = 0; s < scenario.Steps.Count; s++)
        {
            var step = scenario.Steps[s];
            text.Append('\n');
            foreach (var comment in step.Comments)
            {
                text.Append(comment).Append('\n');
            }

            text.Append(CommandPrefix).Append(step.CommandLine);
            if (step.Stdin is not null)
            {
                text.Append(' ').Append(HereDocument).Append('\n').Append(step.Stdin).Append(HereDocumentEnd);
            }

            text.Append('\n');
            foreach (var line in transcripts[s])
            {
                if (line.StartsWith(CommandPrefix, StringComparison.Ordinal) || line.StartsWith(CommentPrefix, StringComparison.Ordinal))
                {
                    throw new FormatException($"{scenario.Name}: '$ {step.CommandLine}' printed a line the format would misread: {line}");
                }

                text.Append(line).Append('\n');
            }
        }

        return text.ToString();
    }

    /// <summary>The comment lines right above a command (no blank line between) are that command's.</summary>
    private static List<string> TakeTrailingComments(List<string> lines)
    {
        var start = lines.Count;
        while (start > 0 && lines[start - 1].StartsWith(CommentPrefix, StringComparison.Ordinal))
        {
            start--;
        }

        var comments = lines.GetRange(start, lines.Count - start);
        lines.RemoveRange(start, lines.Count - start);
        return comments;
    }

    internal static void TrimTrailingBlankLines(List<string> lines)
    {
        while (lines.Count > 0 && lines[^1].Length == 0)
        {
            lines.RemoveAt(lines.Count - 1);
        }
    }
}
