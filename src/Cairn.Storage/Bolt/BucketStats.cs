using Cairn.Storage.Bolt.Format;

namespace Cairn.Storage.Bolt;

/// <summary>Page and key statistics of a bucket tree (bbolt's BucketStats).</summary>
public sealed class BucketStats
{
    internal static unsafe BucketStats Of(BoltBucket bucket, int depth = 0)
    {
        if (depth > BoltTransaction.MaxTreeDepth)
        {
            throw BoltErrors.Corrupt(bucket.Tx.Database.Path, bucket.RootPgid, $"buckets nested deeper than {BoltTransaction.MaxTreeDepth} levels (a cycle?)");
        }
        var s = new BucketStats();
        var sub = new BucketStats();
        var pageSize = bucket.Tx.Database.PageSize;
        s.BucketN++;
        if (bucket.RootPgid == 0)
        {
            s.InlineBucketN++;
        }
        bucket.ForEachPage((page, pageDepth) =>
        {
            if (page.IsLeaf)
            {
                s.KeyN += page.Count;
                long used = PageLayout.HeaderSize;
                if (page.Count != 0)
                {
                    // Elements are written in order: the last one's data ends where the used bytes end.
                    page.LeafEntry(page.Count - 1, out var k, out var kl, out _, out var vl);
                    used = (k - page.Ptr) + kl + vl;
                }
                if (bucket.RootPgid == 0)
                {
                    s.InlineBucketInuse += (int)used;
                }
                else
                {
                    s.LeafPageN++;
                    s.LeafInuse += (int)used;
                    s.LeafOverflowN += (int)page.Overflow;
                    for (var i = 0; i < page.Count; i++)
                    {
                        if (page.IsBucketElement(i))
                        {
                            page.LeafEntry(i, out _, out _, out var v, out var vl2);
                            sub.Add(Of(bucket.OpenBucket(v, vl2), depth + 1));
                        }
                    }
                }
            }
            else if (page.IsBranch)
            {
                s.BranchPageN++;
                page.BranchEntry(page.Count - 1, out var k, out var kl);
                long used = (k - page.Ptr) + kl;
                s.BranchInuse += (int)used;
                s.BranchOverflowN += (int)page.Overflow;
            }
            if (pageDepth + 1 > s.Depth)
            {
                s.Depth = pageDepth + 1;
            }
        });
        s.BranchAlloc = (s.BranchPageN + s.BranchOverflowN) * pageSize;
        s.LeafAlloc = (s.LeafPageN + s.LeafOverflowN) * pageSize;
        s.Depth += sub.Depth;
        s.Add(sub);
        return s;
    }

    public int BranchPageN { get; set; }
    public int BranchOverflowN { get; set; }
    public int LeafPageN { get; set; }
    public int LeafOverflowN { get; set; }
    public int KeyN { get; set; }
    public int Depth { get; set; }
    public int BranchAlloc { get; set; }
    public int BranchInuse { get; set; }
    public int LeafAlloc { get; set; }
    public int LeafInuse { get; set; }
    public int BucketN { get; set; }
    public int InlineBucketN { get; set; }
    public int InlineBucketInuse { get; set; }

    public void Add(BucketStats other)
    {
        BranchPageN += other.BranchPageN;
        BranchOverflowN += other.BranchOverflowN;
        LeafPageN += other.LeafPageN;
        LeafOverflowN += other.LeafOverflowN;
        KeyN += other.KeyN;
        Depth = Math.Max(Depth, other.Depth);
        BranchAlloc += other.BranchAlloc;
        BranchInuse += other.BranchInuse;
        LeafAlloc += other.LeafAlloc;
        LeafInuse += other.LeafInuse;
        BucketN += other.BucketN;
        InlineBucketN += other.InlineBucketN;
        InlineBucketInuse += other.InlineBucketInuse;
    }
}
