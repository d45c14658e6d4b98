namespace Cairn.Storage.Bolt;

/// <summary>
/// Copies every bucket, nested bucket, sequence and key of a database into a fresh file with full
/// pages (bbolt's Compact; what etcd's defrag does): the copy holds no free pages.
/// </summary>
public static class BoltCompaction
{
    /// <summary>
    /// Compacts <paramref name="source"/> into a new database at <paramref name="destinationPath"/>
    /// (which must not exist), reading from one read transaction. <paramref name="maxTransactionBytes"/>
    /// commits the copy every so many key+value bytes (0: one transaction), as bbolt's txMaxSize.
    /// </summary>
    public static void CompactTo(this BoltDatabase source, string destinationPath, BoltOptions? destinationOptions = null,
        long maxTransactionBytes = 0, double fillPercent = 1.0)
    {
        if (File.Exists(destinationPath))
        {
            throw new IOException($"bolt: {destinationPath}: compaction target already exists");
        }
        using var destination = BoltDatabase.Open(destinationPath, destinationOptions ?? new BoltOptions { PageSize = source.PageSize });
        using var read = source.BeginRead();
        var copier = new Copier(destination, maxTransactionBytes, fillPercent);
        try
        {
            var names = new List<byte[]>();
            var c = read.Cursor();
            for (var ok = c.First(); ok; ok = c.Next())
            {
                names.Add(c.Key.ToArray());
            }
            foreach (var name in names)
            {
                var bucket = read.Bucket(name) ?? throw BoltErrors.IncompatibleValue();
                copier.CopyBucket([], name, bucket);
            }
            copier.Commit();
        }
        finally
        {
            copier.Dispose();
        }
        destination.Sync();
    }

    private sealed class Copier(BoltDatabase destination, long maxTransactionBytes, double fillPercent) : IDisposable
    {
        private BoltTransaction _tx = destination.BeginWrite();
        private long _size;

        public void CopyBucket(List<byte[]> parentPath, byte[] name, BoltBucket source)
        {
            if (parentPath.Count > BoltTransaction.MaxTreeDepth)
            {
                throw BoltErrors.Corrupt(source.Tx.Database.Path, source.Root, $"buckets nested deeper than {BoltTransaction.MaxTreeDepth} levels (a cycle?)");
            }
            Account(name.Length);
            var target = Resolve(parentPath)?.CreateBucket(name) ?? _tx.CreateBucket(name);
            target.SetSequence(source.Sequence);
            var path = new List<byte[]>(parentPath) { name };
            var c = source.Cursor();
            for (var ok = c.First(); ok; ok = c.Next())
            {
                if (c.IsBucket)
                {
                    var key = c.Key.ToArray();
                    CopyBucket(path, key, source.Bucket(key) ?? throw BoltErrors.IncompatibleValue());
                    // The nested copy may have committed and started a new transaction.
                    target = Resolve(path)!;
                    continue;
                }
                if (Account(c.Key.Length + c.Value.Length))
                {
                    target = Resolve(path)!;
                }
                target.FillPercent = fillPercent;
                target.Put(c.Key, c.Value);
            }
        }

        public void Commit() => _tx.Commit();

        public void Dispose() => _tx.Dispose();

        /// <summary>Starts a new transaction when this entry would exceed the size limit; true when it did.</summary>
        private bool Account(int bytes)
        {
            if (maxTransactionBytes != 0 && _size + bytes > maxTransactionBytes)
            {
                _tx.Commit();
                _tx = destination.BeginWrite();
                _size = 0;
                _size += bytes;
                return true;
            }
            _size += bytes;
            return false;
        }

        private BoltBucket? Resolve(List<byte[]> path)
        {
            if (path.Count == 0)
            {
                return null;
            }
            var bucket = _tx.Bucket(path[0])!;
            for (var i = 1; i < path.Count; i++)
            {
                bucket = bucket.Bucket(path[i])!;
            }
            return bucket;
        }
    }
}
