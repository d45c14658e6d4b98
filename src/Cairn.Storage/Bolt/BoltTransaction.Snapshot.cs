using Cairn.Storage.Bolt.Format;

namespace Cairn.Storage.Bolt;

/// <summary>Consistent copies of the database from a read transaction: what etcd streams as its snapshot.</summary>
public sealed partial class BoltTransaction
{
    /// <summary>
    /// Writes a consistent copy of the database as of this (read) transaction: exactly
    /// <see cref="Size"/> bytes, both meta pages rewritten from this transaction's meta as bbolt's
    /// Tx.WriteTo does. Other transactions may run meanwhile.
    /// </summary>
    public unsafe long WriteTo(Stream destination)
    {
        var db = EnsureSnapshotSource();
        var pageSize = db.PageSize;
        var metaPages = new byte[pageSize * 2];
        FillSnapshotMetaPages(metaPages, pageSize);
        destination.Write(metaPages);
        long written = metaPages.Length;
        var region = _regions[0];
        var remaining = Size - (2L * pageSize);
        var offset = 2L * pageSize;
        while (remaining > 0)
        {
            var chunk = (int)Math.Min(remaining, 1 << 20);
            destination.Write(new ReadOnlySpan<byte>(region.Start + offset, chunk));
            offset += chunk;
            remaining -= chunk;
            written += chunk;
        }
        return written;
    }

    /// <summary>Asynchronous <see cref="WriteTo(Stream)"/>, for streaming a snapshot to a peer or client.</summary>
    public async Task<long> WriteToAsync(Stream destination, CancellationToken cancellationToken = default)
    {
        var db = EnsureSnapshotSource();
        var pageSize = db.PageSize;
        var buffer = new byte[Math.Max(pageSize * 2, 1 << 20)];
        FillSnapshotMetaPages(buffer, pageSize);
        await destination.WriteAsync(buffer.AsMemory(0, pageSize * 2), cancellationToken).ConfigureAwait(false);
        long written = pageSize * 2;
        var remaining = Size - (2L * pageSize);
        var offset = 2L * pageSize;
        while (remaining > 0)
        {
            var chunk = (int)Math.Min(remaining, buffer.Length);
            CopyFromMap(offset, buffer.AsSpan(0, chunk));
            await destination.WriteAsync(buffer.AsMemory(0, chunk), cancellationToken).ConfigureAwait(false);
            offset += chunk;
            remaining -= chunk;
            written += chunk;
        }
        return written;
    }

    /// <summary>Writes <see cref="WriteTo(Stream)"/>'s copy to a new file at <paramref name="path"/> and fsyncs it.</summary>
    public void CopyFile(string path)
    {
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None);
        WriteTo(file);
        file.Flush(flushToDisk: true);
    }

    private unsafe void CopyFromMap(long offset, Span<byte> destination) =>
        new ReadOnlySpan<byte>(_regions[0].Start + offset, destination.Length).CopyTo(destination);

    private BoltDatabase EnsureSnapshotSource()
    {
        var db = EnsureOpen();
        if (Writable)
        {
            throw new InvalidOperationException("bolt: WriteTo needs a read transaction (a writer's pages are not on disk yet)");
        }
        return db;
    }

    private unsafe void FillSnapshotMetaPages(Span<byte> buffer, int pageSize)
    {
        fixed (byte* p = buffer)
        {
            for (var i = 0; i < 2; i++)
            {
                var page = p + (i * pageSize);
                new Span<byte>(page, pageSize).Clear();
                Format.Page.WriteHeader(page, (ulong)i, PageLayout.MetaPageFlag, 0, 0);
                var meta = _meta;
                meta.TxId -= (ulong)i;
                meta.Checksum = meta.ComputeChecksum();
                meta.Write(page + PageLayout.HeaderSize);
            }
        }
    }
}
