namespace Cairn.Storage.FileSystem;

/// <summary>
/// A file is locked by another open file description: another cairn or etcd process, or another
/// WAL in this process (open-file-description locks conflict even within one process, which is
/// what keeps the purger away from segments a live WAL still holds).
/// </summary>
public sealed class FileLockedException : IOException
{
    public FileLockedException(string path)
        : base($"fileutil: file already locked: {path}")
    {
        Path = path;
    }

    public string Path { get; }
}
