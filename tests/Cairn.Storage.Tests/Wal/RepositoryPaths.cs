namespace Cairn.Storage.Tests.Wal;

/// <summary>Finds files of the source tree (the Go programs) from the test assembly's location.</summary>
public static class RepositoryPaths
{
    public static string Root
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Cairn.slnx")))
            {
                dir = dir.Parent;
            }
            return dir?.FullName ?? throw new InvalidOperationException($"no Cairn.slnx above {AppContext.BaseDirectory}");
        }
    }

    public static string TestGoProgram(string name) => Path.Combine(Root, "tests", "Cairn.Storage.Tests", "Go", name);
}
