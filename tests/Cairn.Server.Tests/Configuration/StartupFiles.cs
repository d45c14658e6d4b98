using System.Text.RegularExpressions;

namespace Cairn.Server.Tests.Configuration;

/// <summary>Reads the ways the tutorials hand settings to etcd: a command line and systemd environment files.</summary>
internal static partial class StartupFiles
{
    /// <summary>A command line as a unit file or pod spec writes it: continuation backslashes joined, the binary dropped.</summary>
    public static string[] Arguments(string path) =>
        [.. Whitespace().Split(File.ReadAllText(path).Replace("\\\n", " ", StringComparison.Ordinal).Trim()).Skip(1)];

    /// <summary>systemd's EnvironmentFile syntax: KEY=VALUE lines, comments, optional quotes around the value.</summary>
    public static (string Key, string Value)[] Environment(params string[] paths) =>
        [.. paths.SelectMany(File.ReadAllLines)
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && l[0] is not ('#' or ';'))
            .Select(l => (Key: l[..l.IndexOf('=')], Value: Unquote(l[(l.IndexOf('=') + 1)..])))];

    private static string Unquote(string value) =>
        value.Length >= 2 && value[0] is '"' or '\'' && value[^1] == value[0] ? value[1..^1] : value;

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
