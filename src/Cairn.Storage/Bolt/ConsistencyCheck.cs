using Cairn.Storage.Bolt.Format;

namespace Cairn.Storage.Bolt;

/// <summary>
/// bbolt's Tx.Check: no page freed twice; every page below the high water mark reachable exactly
/// once or free, never both; only branch and leaf pages in trees. It also checks what newer bbolt
/// checks: keys strictly ascending in every page and inside the key range their parent gives them.
/// Corrupt structures are reported, not thrown, and never walked twice (no cycles).
/// </summary>
internal static class ConsistencyCheck
{
    public static IReadOnlyList<string> Run(BoltTransaction tx)
    {
        var errors = new List<string>();
        var meta = tx.MetaSnapshot;
        var freed = FreedPages(tx, meta, errors);
        var reachable = new HashSet<ulong> { 0, 1 };
        if (meta.HasSyncedFreelist)
        {
            try
            {
                var page = tx.Page(meta.Freelist);
                for (ulong i = 0; i <= page.Overflow; i++)
                {
                    reachable.Add(meta.Freelist + i);
                }
            }
            catch (BoltCorruptionException e)
            {
                errors.Add(e.Message);
            }
        }
        var walk = new Walk(tx, reachable, freed, errors);
        walk.CheckBucket(tx.RootBucket);

        if (freed is not null)
        {
            for (ulong i = 0; i < meta.Pgid; i++)
            {
                if (!reachable.Contains(i) && !freed.Contains(i))
                {
                    errors.Add($"page {i}: unreachable unfreed");
                }
            }
        }
        return errors;
    }

    /// <summary>Every page the tree reaches (for rebuilding the freelist without a freelist page); throws on corruption.</summary>
    public static HashSet<ulong> ReachablePages(BoltTransaction tx)
    {
        var errors = new List<string>();
        var reachable = new HashSet<ulong>();
        new Walk(tx, reachable, null, errors).CheckBucket(tx.RootBucket);
        if (errors.Count > 0)
        {
            throw BoltErrors.Corrupt(tx.Database.Path, null, "cannot rebuild the freelist: " + string.Join("; ", errors));
        }
        return reachable;
    }

    /// <summary>The pages free in this transaction's view, or null when that cannot be known (a reader of a file without a freelist page).</summary>
    private static HashSet<ulong>? FreedPages(BoltTransaction tx, Meta meta, List<string> errors)
    {
        ulong[] ids;
        var db = tx.Database;
        if (tx.Writable || db.IsReadOnly)
        {
            var freelist = tx.Writable ? db.Freelist : db.LoadedFreelist();
            ids = new ulong[freelist.Count];
            freelist.CopyAll(ids);
        }
        else if (meta.HasSyncedFreelist)
        {
            try
            {
                var page = tx.Page(meta.Freelist);
                ids = Freelist.ReadIds(page, meta.Pgid);
            }
            catch (BoltCorruptionException e)
            {
                errors.Add(e.Message);
                return null;
            }
        }
        else
        {
            return null;
        }
        var freed = new HashSet<ulong>();
        foreach (var id in ids)
        {
            if (!freed.Add(id))
            {
                errors.Add($"page {id}: already freed");
            }
        }
        return freed;
    }

    private sealed class Walk(BoltTransaction tx, HashSet<ulong> reachable, HashSet<ulong>? freed, List<string> errors)
    {
        public void CheckBucket(BoltBucket bucket, int depth = 0)
        {
            if (depth > BoltTransaction.MaxTreeDepth)
            {
                errors.Add($"buckets nested deeper than {BoltTransaction.MaxTreeDepth} levels (a cycle?)");
                return;
            }
            if (bucket.Root != 0 && reachable.Contains(bucket.Root))
            {
                // Another bucket (or this one's ancestor) already owns the root page: do not walk it twice.
                errors.Add($"page {bucket.Root}: multiple references");
                return;
            }
            if (bucket.Root == 0)
            {
                // Inline bucket: its page lives in the parent's leaf; only key order to check.
                try
                {
                    bucket.ForEachPage((page, _) => CheckKeys(page, null, null, null));
                }
                catch (BoltCorruptionException e)
                {
                    errors.Add(e.Message);
                }
                return;
            }
            VisitPage(bucket.Root, 0, null, null);

            List<byte[]> children = new();
            try
            {
                var c = bucket.Cursor();
                for (var ok = c.First(); ok; ok = c.Next())
                {
                    if (c.IsBucket)
                    {
                        children.Add(c.Key.ToArray());
                    }
                }
            }
            catch (BoltCorruptionException e)
            {
                errors.Add(e.Message);
                return;
            }
            foreach (var name in children)
            {
                BoltBucket? child;
                try
                {
                    child = bucket.Bucket(name);
                }
                catch (BoltCorruptionException e)
                {
                    errors.Add(e.Message);
                    continue;
                }
                if (child is not null)
                {
                    CheckBucket(child, depth + 1);
                }
            }
        }

        private void VisitPage(ulong pgid, int depth, byte[]? lower, byte[]? upper)
        {
            if (depth > BoltTransaction.MaxTreeDepth)
            {
                errors.Add($"page {pgid}: tree deeper than {BoltTransaction.MaxTreeDepth} levels");
                return;
            }
            Page page;
            try
            {
                page = tx.Page(pgid);
            }
            catch (BoltCorruptionException e)
            {
                errors.Add(e.Message);
                return;
            }
            for (ulong i = 0; i <= page.Overflow; i++)
            {
                if (!reachable.Add(pgid + i))
                {
                    errors.Add($"page {pgid + i}: multiple references");
                    return;
                }
            }
            if (freed is not null && freed.Contains(pgid))
            {
                errors.Add($"page {pgid}: reachable freed");
            }
            else if (!page.IsBranch && !page.IsLeaf)
            {
                errors.Add($"page {pgid}: invalid type: {page.TypeName}");
                return;
            }
            try
            {
                CheckKeys(page, pgid, lower, upper);
                if (page.IsBranch)
                {
                    if (page.Count == 0)
                    {
                        errors.Add($"page {pgid}: branch page with no elements");
                    }
                    for (var i = 0; i < page.Count; i++)
                    {
                        var childLower = page.BranchKey(i).ToArray();
                        var childUpper = i + 1 < page.Count ? page.BranchKey(i + 1).ToArray() : upper;
                        VisitPage(page.BranchChild(i), depth + 1, childLower, childUpper);
                    }
                }
            }
            catch (BoltCorruptionException e)
            {
                errors.Add(e.Message);
            }
        }

        private void CheckKeys(Page page, ulong? pgid, byte[]? lower, byte[]? upper)
        {
            var where = pgid is { } id ? $"page {id}" : "inline bucket page";
            ReadOnlySpan<byte> previous = default;
            for (var i = 0; i < page.Count; i++)
            {
                var key = page.IsBranch ? page.BranchKey(i) : page.LeafKey(i);
                if (i > 0 && key.SequenceCompareTo(previous) <= 0)
                {
                    errors.Add($"{where}: key {i} ({Convert.ToHexString(key)}) is not after key {i - 1} ({Convert.ToHexString(previous)})");
                }
                if (lower is not null && key.SequenceCompareTo(lower) < 0)
                {
                    errors.Add($"{where}: key {i} ({Convert.ToHexString(key)}) is below its parent's key ({Convert.ToHexString(lower)})");
                }
                if (upper is not null && key.SequenceCompareTo(upper) >= 0)
                {
                    errors.Add($"{where}: key {i} ({Convert.ToHexString(key)}) is not below the next parent key ({Convert.ToHexString(upper)})");
                }
                previous = key;
            }
        }
    }
}
