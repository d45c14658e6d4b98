using System.Globalization;

namespace Cairn.Server.Logging;

/// <summary>File errors worded as Go's os package words them ("open PATH: no such file or directory"), as etcd prints them.</summary>
public static class GoErrorText
{
    public static string Open(string path, Exception error) => $"open {path}: {Describe(error)}";

    private static string Describe(Exception error) => error switch
    {
        FileNotFoundException or DirectoryNotFoundException => "no such file or directory",
        UnauthorizedAccessException => "permission denied",
        _ => error.Message.ToLower(CultureInfo.InvariantCulture),
    };
}
