namespace Cairn.Raft.Tests.EtcdInteraction;

/// <summary>One command of a datadriven test file: "cmd args", optional input, "----", expected output.</summary>
internal sealed record DataDrivenCase(int Line, string Command, IReadOnlyList<(string Key, string[] Values)> Args, string Input, string Expected)
{
    public string Text => $"{Line}: {Command} {string.Join(" ", Args.Select(a => a.Values.Length == 0 ? a.Key : $"{a.Key}=({string.Join(",", a.Values)})"))}";
}

/// <summary>Reads the datadriven format of cockroachdb/datadriven, as etcd's raft testdata uses it.</summary>
internal static class DataDrivenFile
{
    public static List<DataDrivenCase> Parse(string text)
    {
        var lines = text.ReplaceLineEndings("\n").Split('\n');
        var cases = new List<DataDrivenCase>();
        var i = 0;
        while (i < lines.Length)
        {
            var line = lines[i];
            if (line.Trim().Length == 0 || line.StartsWith('#'))
            {
                i++;
                continue;
            }
            var start = i + 1;
            var (command, args) = ParseCommand(line);
            i++;
            var input = new List<string>();
            while (i < lines.Length && lines[i] != "----")
            {
                input.Add(lines[i++]);
            }
            i++;
            var expected = new List<string>();
            if (i < lines.Length && lines[i] == "----")
            {
                // Output with blank lines: up to a closing "----" "----".
                i++;
                while (i + 1 < lines.Length && !(lines[i] == "----" && lines[i + 1] == "----"))
                {
                    expected.Add(lines[i++]);
                }
                i += 2;
            }
            else
            {
                while (i < lines.Length && lines[i].Length > 0)
                {
                    expected.Add(lines[i++]);
                }
            }
            cases.Add(new DataDrivenCase(start, command, args, string.Join("\n", input), string.Join("\n", expected)));
        }
        return cases;
    }

    private static (string, List<(string, string[])>) ParseCommand(string line)
    {
        var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var args = new List<(string, string[])>();
        foreach (var p in parts.Skip(1))
        {
            var eq = p.IndexOf('=');
            if (eq < 0)
            {
                args.Add((p, Array.Empty<string>()));
                continue;
            }
            var value = p[(eq + 1)..].Trim('(', ')');
            args.Add((p[..eq], value.Split(',', StringSplitOptions.RemoveEmptyEntries)));
        }
        return (parts[0], args);
    }
}
