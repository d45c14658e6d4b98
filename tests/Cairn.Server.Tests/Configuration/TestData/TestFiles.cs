using System.Runtime.CompilerServices;

namespace Cairn.Server.Tests.Configuration.TestData;

/// <summary>Finds the test data files that sit next to the test sources.</summary>
internal static class TestFiles
{
    /// <summary>A file in Configuration/TestData.</summary>
    public static string PathOf(string name) => Path.Combine(Path.GetDirectoryName(Here())!, name);

    /// <summary>A file in Configuration/Tutorials.</summary>
    public static string TutorialPath(string name) => Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(Here()))!, "Tutorials", name);

    private static string Here([CallerFilePath] string path = "") => path;
}
