namespace Cairn.Storage.FileSystem;

/// <summary>
/// Removes the oldest files of a kind beyond a maximum count, as etcd's <c>fileutil.PurgeFile</c>
/// does for <c>--max-snapshots</c> (suffixes "snap" and "snap.db") and <c>--max-wals</c> ("wal").
/// A file is removed only while this purger holds its lock, so WAL segments the live WAL still
/// holds (not yet released by <c>ReleaseLockTo</c>) stop the purge at that file.
/// </summary>
public static class FilePurger
{
    /// <summary>How often etcd's server runs the purge.</summary>
    public static readonly TimeSpan EtcdInterval = TimeSpan.FromSeconds(30);

    /// <summary>
    /// One pass: among the names in <paramref name="directory"/> ending in <paramref name="suffix"/>,
    /// removes the oldest (by name) while more than <paramref name="max"/> remain, stopping at the
    /// first one that is locked. Returns the names removed.
    /// </summary>
    public static IReadOnlyList<string> PurgeOnce(string directory, string suffix, int max)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(max);
        var candidates = DirectoryNames.Read(directory).Where(n => n.EndsWith(suffix, StringComparison.Ordinal)).ToList();
        var purged = new List<string>();
        for (int i = 0; candidates.Count - i > max; i++)
        {
            string path = System.IO.Path.Combine(directory, candidates[i]);
            LockedFile locked;
            try
            {
                locked = LockedFile.TryLock(path, FileMode.Open, FileAccess.Write);
            }
            catch (FileLockedException)
            {
                break; // still in use: everything newer is too
            }
            using (locked)
            {
                File.Delete(path);
            }
            purged.Add(candidates[i]);
        }
        return purged;
    }

    /// <summary>
    /// Purges every <paramref name="interval"/> until <paramref name="cancellation"/> fires, reporting
    /// each removed name to <paramref name="onPurged"/>. I/O errors end the loop and are thrown.
    /// </summary>
    public static async Task RunAsync(
        string directory, string suffix, int max, TimeSpan interval, Action<string>? onPurged, CancellationToken cancellation)
    {
        while (!cancellation.IsCancellationRequested)
        {
            foreach (string name in PurgeOnce(directory, suffix, max))
            {
                onPurged?.Invoke(name);
            }
            try
            {
                await Task.Delay(interval, cancellation).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
