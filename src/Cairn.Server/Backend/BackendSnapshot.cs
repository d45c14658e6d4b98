using Cairn.Storage.Backend;

namespace Cairn.Server.Backend;

/// <summary>
/// A consistent copy of the backend as of one moment, to stream out (etcd's backend.Snapshot):
/// its size is known before the first byte goes, as etcd's snapshot stream needs. While it is
/// open it holds the backend's file shared, so a defragmentation waits rather than replacing the
/// file under it.
/// </summary>
public sealed class BackendSnapshot : IDisposable
{
    private readonly BackendFileSnapshot _file;
    private readonly Action _release;
    private bool _disposed;

    internal BackendSnapshot(BackendFileSnapshot file, Action release)
    {
        _file = file;
        _release = release;
    }

    public long Size => _file.Size;

    public Task<long> WriteToAsync(Stream destination, CancellationToken cancellationToken) =>
        _file.WriteToAsync(destination, cancellationToken);

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        _file.Dispose();
        _release();
    }
}
