using Cairn.Storage.Bolt;

namespace Cairn.Server.Backend;

/// <summary>
/// A consistent copy of the backend as of one moment, to stream out (etcd's backend.Snapshot):
/// its size is known before the first byte goes, as etcd's snapshot stream needs.
/// </summary>
public sealed class BackendSnapshot : IDisposable
{
    private readonly BoltTransaction _tx;
    private readonly Action _release;
    private bool _disposed;

    internal BackendSnapshot(BoltTransaction tx, Action release)
    {
        _tx = tx;
        _release = release;
    }

    public long Size => _tx.Size;

    public Task<long> WriteToAsync(Stream destination, CancellationToken cancellationToken) =>
        _tx.WriteToAsync(destination, cancellationToken);

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        _tx.Dispose();
        _release();
    }
}
