using System.Collections.Concurrent;
using Cairn.Storage.FileSystem;

namespace Cairn.Storage.Tests.Wal;

/// <summary>Records each fdatasync a WAL asks for (the file's path) and then does it.</summary>
internal sealed class CountingDataSync : IDataSync
{
    private readonly ConcurrentQueue<string> _synced = new();

    public int Count => _synced.Count;

    public IReadOnlyList<string> Synced => _synced.ToArray();

    public void Fdatasync(LockedFile file)
    {
        _synced.Enqueue(file.Path);
        file.Fdatasync();
    }
}
