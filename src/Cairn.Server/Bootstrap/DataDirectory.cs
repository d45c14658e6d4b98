using Cairn.Server.Configuration.Model;
using Cairn.Server.Logging;

namespace Cairn.Server.Bootstrap;

/// <summary>
/// The data dir's directories, created with etcd's permissions (0700) when missing; an existing
/// directory with looser permissions is used with etcd's warning.
/// </summary>
public static class DataDirectory
{
    private const UnixFileMode Private = Storage.FileSystem.DirectoryNames.PrivateDirMode;

    public static void Prepare(ServerConfiguration config, ServerLogger log)
    {
        foreach (var dir in new[] { config.DataDir, config.MemberDir, config.SnapDir })
        {
            Ensure(dir, log);
        }
        if (config.DedicatedWalDir is { } walDir)
        {
            Ensure(walDir, log);
        }
    }

    private static void Ensure(string dir, ServerLogger log)
    {
        try
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(dir);
                return;
            }
            if (!Directory.Exists(dir))
            {
                Directory.CreateDirectory(dir, Private);
                return;
            }
            var mode = File.GetUnixFileMode(dir);
            if (mode != Private)
            {
                log.ForPackage("fileutil").Warn("check file permission",
                    [LogField.Error($"directory \"{dir}\" exist, but the permission is \"{Describe(mode)}\". The recommended permission is \"-rwx------\" to prevent possible unprivileged access to the data")],
                    capnslog: $"check file permission: directory \"{dir}\" exist, but the permission is \"{Describe(mode)}\". The recommended permission is \"-rwx------\" to prevent possible unprivileged access to the data.");
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BootstrapException($"cannot access data directory: {e.Message}", e);
        }
    }

    /// <summary>Go's os.FileMode.String() for a directory, e.g. "drwxr-xr-x".</summary>
    private static string Describe(UnixFileMode mode)
    {
        Span<char> text = ['d', '-', '-', '-', '-', '-', '-', '-', '-', '-'];
        ReadOnlySpan<(UnixFileMode Bit, char Letter)> bits =
        [
            (UnixFileMode.UserRead, 'r'), (UnixFileMode.UserWrite, 'w'), (UnixFileMode.UserExecute, 'x'),
            (UnixFileMode.GroupRead, 'r'), (UnixFileMode.GroupWrite, 'w'), (UnixFileMode.GroupExecute, 'x'),
            (UnixFileMode.OtherRead, 'r'), (UnixFileMode.OtherWrite, 'w'), (UnixFileMode.OtherExecute, 'x'),
        ];
        for (int i = 0; i < bits.Length; i++)
        {
            if ((mode & bits[i].Bit) != 0)
            {
                text[i + 1] = bits[i].Letter;
            }
        }
        return new string(text);
    }
}
