using Cairn.Storage.Bolt;

namespace Cairn.Storage.Backend;

/// <summary>
/// The backend file as of one moment, to stream out (etcd's <c>backend.Snapshot</c>): a read
/// transaction held open, so its size is known before the first byte goes, as etcd's snapshot
/// stream announces it. Writers go on meanwhile; the pages it still needs are not reused until it
/// is disposed, so dispose it as soon as it is written.
/// </summary>
public sealed class BackendFileSnapshot : IDisposable
{
    private readonly BoltTransaction _tx;

    internal BackendFileSnapshot(BoltTransaction tx)
    {
        _tx = tx;
    }

    /// <summary>Bytes <see cref="WriteToAsync"/> writes: the file's size at that moment.</summary>
    public long Size => _tx.Size;

    /// <summary>Writes the whole file as of that moment (a valid bolt file etcd and bbolt open); returns the bytes written.</summary>
    public Task<long> WriteToAsync(Stream destination, CancellationToken cancellationToken = default) =>
        _tx.WriteToAsync(destination, cancellationToken);

    public void Dispose() => _tx.Dispose();
}
