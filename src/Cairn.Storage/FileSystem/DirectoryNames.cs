namespace Cairn.Storage.FileSystem;

/// <summary>Directory helpers with etcd's semantics (<c>fileutil.ReadDir</c>, <c>CreateDirAll</c>).</summary>
public static class DirectoryNames
{
    /// <summary>Owner-only permissions etcd gives the directories it creates (0700).</summary>
    public const UnixFileMode PrivateDirMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>
    /// The names in <paramref name="directory"/> sorted bytewise (Go's <c>sort.Strings</c>), optionally
    /// only those whose extension is exactly <paramref name="extension"/> (e.g. ".wal").
    /// </summary>
    public static List<string> Read(string directory, string? extension = null)
    {
        var names = new List<string>();
        foreach (string entry in Directory.EnumerateFileSystemEntries(directory))
        {
            string name = System.IO.Path.GetFileName(entry);
            if (extension is null || System.IO.Path.GetExtension(name) == extension)
            {
                names.Add(name);
            }
        }
        names.Sort(StringComparer.Ordinal);
        return names;
    }

    /// <summary>Creates <paramref name="directory"/> (0700) if missing, checks it is writable, and that it is empty.</summary>
    public static void CreateEmpty(string directory)
    {
        CreateWritable(directory);
        var names = Read(directory);
        if (names.Count != 0)
        {
            throw new IOException($"expected \"{directory}\" to be empty, got [{string.Join(' ', names)}]");
        }
    }

    /// <summary>Creates <paramref name="directory"/> (0700) if missing and checks that it is writable (etcd's <c>TouchDirAll</c>).</summary>
    public static void CreateWritable(string directory)
    {
        if (!Directory.Exists(directory))
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(directory);
            }
            else
            {
                Directory.CreateDirectory(directory, PrivateDirMode);
            }
        }
        string probe = System.IO.Path.Combine(directory, ".touch");
        File.WriteAllBytes(probe, []);
        File.Delete(probe);
    }
}
