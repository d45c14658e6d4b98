using System.Runtime.CompilerServices;
using Cairn.Storage.Bolt.Format;
using Cairn.Storage.Bolt.Tree;

namespace Cairn.Storage.Bolt;

/// <summary>Receives one entry of <see cref="BoltBucket.ForEach"/>; <paramref name="value"/> is empty for a nested bucket.</summary>
public delegate void BoltEntryVisitor(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, bool isBucket);

/// <summary>
/// A collection of key/value pairs and nested buckets, sorted by key (bbolt's Bucket). Valid for
/// the life of its transaction. Spans returned by reads point into the memory map (or, in a write
/// transaction, into the transaction's own memory) and are valid only until the transaction ends:
/// copy what must outlive it.
/// </summary>
public sealed unsafe class BoltBucket
{
    public const double DefaultFillPercent = 0.5;
    internal const double MinFillPercent = 0.1;
    internal const double MaxFillPercent = 1.0;

    private Dictionary<byte[], BoltBucket>? _buckets;
    private Dictionary<ulong, Node>? _nodes;
    private Page _inlinePage;
    private bool _hasInlinePage;
    private BoltCursor? _scratch;

    internal BoltBucket(BoltTransaction tx, ulong root, ulong sequence)
    {
        Tx = tx;
        RootPgid = root;
        SequenceValue = sequence;
        if (tx.Writable)
        {
            _buckets = new Dictionary<byte[], BoltBucket>(ByteArrayComparer.Instance);
            _nodes = new Dictionary<ulong, Node>();
        }
    }

    internal BoltTransaction Tx { get; }

    internal ulong RootPgid { get; private set; }

    internal ulong SequenceValue { get; private set; }

    internal Node? RootNode { get; set; }

    /// <summary>How full split pages are left (0.1..1.0); raise it for append-mostly keys. Not persisted.</summary>
    public double FillPercent { get; set; } = DefaultFillPercent;

    public BoltTransaction Transaction => Tx;

    public bool Writable => Tx.Writable;

    /// <summary>The bucket's sequence number (see <see cref="NextSequence"/>).</summary>
    public ulong Sequence => SequenceValue;

    /// <summary>The root page id; 0 for an inline bucket.</summary>
    public ulong Root => RootPgid;

    /// <summary>A new cursor over this bucket, valid for the life of the transaction.</summary>
    public BoltCursor Cursor()
    {
        Tx.EnsureOpen();
        Tx.TxStats.CursorCount++;
        return new BoltCursor(this);
    }

    private BoltCursor Scratch()
    {
        Tx.EnsureOpen();
        return _scratch ??= new BoltCursor(this);
    }

    /// <summary>The nested bucket named <paramref name="name"/>, or null.</summary>
    public BoltBucket? Bucket(ReadOnlySpan<byte> name)
    {
        if (_buckets is not null && _buckets.GetAlternateLookup<ReadOnlySpan<byte>>().TryGetValue(name, out var cached))
        {
            return cached;
        }
        var c = Scratch();
        c.SeekRaw(name);
        if (!c.RawValid || !c.RawKey.SequenceEqual(name) || (c.RawFlags & PageLayout.BucketLeafFlag) == 0)
        {
            return null;
        }
        var child = OpenBucket(c.RawValuePtr, c.RawValueLength);
        if (_buckets is not null)
        {
            _buckets[name.ToArray()] = child;
        }
        return child;
    }

    internal BoltBucket OpenBucket(byte* value, int length)
    {
        if (length < PageLayout.BucketHeaderSize)
        {
            throw BoltErrors.Corrupt(Tx.Database.Path, null, $"bucket value of {length} bytes is shorter than a bucket header");
        }
        var child = new BoltBucket(Tx, Unsafe.ReadUnaligned<ulong>(value), Unsafe.ReadUnaligned<ulong>(value + 8));
        if (child.RootPgid == 0)
        {
            child._inlinePage = new Page(value + PageLayout.BucketHeaderSize, length - PageLayout.BucketHeaderSize, Tx.Database.Path, null);
            child._hasInlinePage = true;
        }
        return child;
    }

    /// <summary>Creates a nested bucket; fails if the key exists, is empty or too long.</summary>
    public BoltBucket CreateBucket(ReadOnlySpan<byte> name)
    {
        Tx.EnsureWritable();
        if (name.Length == 0)
        {
            throw BoltErrors.BucketNameRequired();
        }
        if (name.Length > BoltLimits.MaxKeySize)
        {
            throw BoltErrors.KeyTooLarge(name.Length);
        }
        var c = Scratch();
        c.SeekRaw(name);
        if (c.RawValid && c.RawKey.SequenceEqual(name))
        {
            throw (c.RawFlags & PageLayout.BucketLeafFlag) != 0 ? BoltErrors.BucketExists() : BoltErrors.IncompatibleValue();
        }

        // A new bucket is an empty inline bucket: header (root 0, sequence 0) and an empty leaf page.
        const int valueLength = PageLayout.BucketHeaderSize + PageLayout.HeaderSize;
        var value = Tx.Arena.Allocate(valueLength);
        new Span<byte>(value, valueLength).Clear();
        Unsafe.WriteUnaligned(value + PageLayout.BucketHeaderSize + 8, PageLayout.LeafPageFlag);
        var key = Tx.Arena.Copy(name);
        c.LeafNode().Put(name, key, name.Length, value, valueLength, 0, PageLayout.BucketLeafFlag);

        // Nested buckets cannot live in an inline bucket: from now on this one is a regular bucket.
        _hasInlinePage = false;
        return Bucket(name)!;
    }

    /// <summary>The nested bucket, created if missing.</summary>
    public BoltBucket CreateBucketIfNotExists(ReadOnlySpan<byte> name)
    {
        Tx.EnsureWritable();
        return Bucket(name) ?? CreateBucket(name);
    }

    /// <summary>Deletes a nested bucket and everything in it.</summary>
    public void DeleteBucket(ReadOnlySpan<byte> name) => DeleteBucket(name, 0);

    private void DeleteBucket(ReadOnlySpan<byte> name, int depth)
    {
        Tx.EnsureWritable();
        if (depth > BoltTransaction.MaxTreeDepth)
        {
            throw BoltErrors.Corrupt(Tx.Database.Path, RootPgid, $"buckets nested deeper than {BoltTransaction.MaxTreeDepth} levels (a cycle?)");
        }
        var c = Scratch();
        c.SeekRaw(name);
        if (!c.RawValid || !c.RawKey.SequenceEqual(name))
        {
            throw BoltErrors.BucketNotFound();
        }
        if ((c.RawFlags & PageLayout.BucketLeafFlag) == 0)
        {
            throw BoltErrors.IncompatibleValue();
        }
        var child = Bucket(name)!;
        var grandChildren = new List<byte[]>();
        var cc = child.Cursor();
        for (var ok = cc.First(); ok; ok = cc.Next())
        {
            if (cc.IsBucket)
            {
                grandChildren.Add(cc.Key.ToArray());
            }
        }
        foreach (var grandChild in grandChildren)
        {
            child.DeleteBucket(grandChild, depth + 1);
        }
        _buckets!.GetAlternateLookup<ReadOnlySpan<byte>>().Remove(name);
        child._nodes = null;
        child.RootNode = null;
        child.Free();

        c = Scratch();
        c.SeekRaw(name);
        c.LeafNode().Delete(name);
    }

    /// <summary>The value of <paramref name="key"/>; false if missing or a nested bucket. The span lives as long as the transaction.</summary>
    public bool TryGet(ReadOnlySpan<byte> key, out ReadOnlySpan<byte> value)
    {
        var c = Scratch();
        c.SeekRaw(key);
        if (!c.RawValid || (c.RawFlags & PageLayout.BucketLeafFlag) != 0 || !c.RawKey.SequenceEqual(key))
        {
            value = default;
            return false;
        }
        value = new ReadOnlySpan<byte>(c.RawValuePtr, c.RawValueLength);
        return true;
    }

    /// <summary>A copy of the value of <paramref name="key"/>, or null.</summary>
    public byte[]? Get(ReadOnlySpan<byte> key) => TryGet(key, out var value) ? value.ToArray() : null;

    /// <summary>Sets <paramref name="key"/> to <paramref name="value"/> (both copied).</summary>
    public void Put(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        Tx.EnsureWritable();
        if (key.Length == 0)
        {
            throw BoltErrors.KeyRequired();
        }
        if (key.Length > BoltLimits.MaxKeySize)
        {
            throw BoltErrors.KeyTooLarge(key.Length);
        }
        if (value.Length > BoltLimits.MaxValueSize)
        {
            throw BoltErrors.ValueTooLarge(value.Length);
        }
        var c = Scratch();
        c.SeekRaw(key);
        if (c.RawValid && (c.RawFlags & PageLayout.BucketLeafFlag) != 0 && c.RawKey.SequenceEqual(key))
        {
            throw BoltErrors.IncompatibleValue();
        }
        var keyCopy = Tx.Arena.Copy(key);
        var valueCopy = Tx.Arena.Copy(value);
        c.LeafNode().Put(key, keyCopy, key.Length, valueCopy, value.Length, 0, 0);
    }

    /// <summary>Removes <paramref name="key"/>; nothing happens if it is missing.</summary>
    public void Delete(ReadOnlySpan<byte> key)
    {
        Tx.EnsureWritable();
        var c = Scratch();
        c.SeekRaw(key);
        if (!c.RawValid || !c.RawKey.SequenceEqual(key))
        {
            return;
        }
        if ((c.RawFlags & PageLayout.BucketLeafFlag) != 0)
        {
            throw BoltErrors.IncompatibleValue();
        }
        c.LeafNode().Delete(key);
    }

    public void SetSequence(ulong value)
    {
        Tx.EnsureWritable();
        // Materialize the root so the bucket header is rewritten on commit.
        if (RootNode is null)
        {
            NodeFor(RootPgid, null);
        }
        SequenceValue = value;
    }

    /// <summary>Increments and returns the bucket's sequence.</summary>
    public ulong NextSequence()
    {
        Tx.EnsureWritable();
        if (RootNode is null)
        {
            NodeFor(RootPgid, null);
        }
        SequenceValue++;
        return SequenceValue;
    }

    /// <summary>Visits every entry in key order. The visitor must not modify the bucket.</summary>
    public void ForEach(BoltEntryVisitor visitor)
    {
        var c = Cursor();
        for (var ok = c.First(); ok; ok = c.Next())
        {
            visitor(c.Key, c.Value, c.IsBucket);
        }
    }

    /// <summary>Page and key statistics for this bucket and the buckets in it (bbolt's Bucket.Stats).</summary>
    public BucketStats Stats()
    {
        Tx.EnsureOpen();
        return BucketStats.Of(this);
    }

    internal delegate void PageVisitor(Page page, int depth);

    internal delegate void PageNodeVisitor(Page? page, Node? node, int depth);

    /// <summary>Every page of the bucket, including an inline page.</summary>
    internal void ForEachPage(PageVisitor visitor)
    {
        if (_hasInlinePage)
        {
            visitor(_inlinePage, 0);
            return;
        }
        Tx.ForEachPage(RootPgid, 0, visitor);
    }

    private void ForEachPageNode(PageNodeVisitor visitor)
    {
        if (_hasInlinePage)
        {
            visitor(_inlinePage, null, 0);
            return;
        }
        ForEachPageNode(RootPgid, 0, visitor);
    }

    private void ForEachPageNode(ulong pgid, int depth, PageNodeVisitor visitor)
    {
        if (depth > BoltTransaction.MaxTreeDepth)
        {
            throw BoltErrors.Corrupt(Tx.Database.Path, pgid, $"tree deeper than {BoltTransaction.MaxTreeDepth} levels (a cycle?)");
        }
        PageNode(pgid, out var page, out var node);
        if (node is null)
        {
            visitor(page, null, depth);
            if (page.IsBranch)
            {
                for (var i = 0; i < page.Count; i++)
                {
                    ForEachPageNode(page.BranchChild(i), depth + 1, visitor);
                }
            }
        }
        else
        {
            visitor(null, node, depth);
            if (!node.IsLeaf)
            {
                for (var i = 0; i < node.Inodes.Count; i++)
                {
                    ForEachPageNode(node.Inodes[i].Pgid, depth + 1, visitor);
                }
            }
        }
    }

    /// <summary>The materialized node for a page if there is one, else the page.</summary>
    internal void PageNode(ulong pgid, out Page page, out Node? node)
    {
        if (RootPgid == 0)
        {
            if (pgid != 0)
            {
                throw BoltErrors.Corrupt(Tx.Database.Path, pgid, "inline bucket non-zero page access");
            }
            if (RootNode is not null)
            {
                page = default;
                node = RootNode;
                return;
            }
            if (!_hasInlinePage)
            {
                throw new InvalidOperationException("inline bucket without its page");
            }
            page = _inlinePage;
            node = null;
            return;
        }
        if (_nodes is not null && _nodes.TryGetValue(pgid, out node))
        {
            page = default;
            return;
        }
        page = Tx.Page(pgid);
        node = null;
    }

    /// <summary>The node for a page, read and cached on first use (write transactions only).</summary>
    internal Node NodeFor(ulong pgid, Node? parent)
    {
        var nodes = _nodes ?? throw new InvalidOperationException("nodes exist only in write transactions");
        if (nodes.TryGetValue(pgid, out var existing))
        {
            return existing;
        }
        var n = new Node(this, parent);
        if (parent is null)
        {
            RootNode = n;
        }
        else
        {
            parent.Children.Add(n);
        }
        var page = _hasInlinePage ? _inlinePage : Tx.Page(pgid);
        n.Read(page);
        nodes[pgid] = n;
        Tx.TxStats.NodeCount++;
        return n;
    }

    internal bool TryGetCachedNode(ulong pgid, out Node node)
    {
        if (_nodes is not null && _nodes.TryGetValue(pgid, out var n))
        {
            node = n;
            return true;
        }
        node = null!;
        return false;
    }

    internal void ForgetNode(ulong pgid) => _nodes?.Remove(pgid);

    /// <summary>Merges under-filled nodes, in this bucket and the ones below.</summary>
    internal void Rebalance()
    {
        if (_nodes is not null)
        {
            foreach (var (pgid, node) in _nodes.ToArray())
            {
                // Skip nodes an earlier merge in this loop removed (Go's map iteration does the same).
                if (_nodes.TryGetValue(pgid, out var current) && ReferenceEquals(current, node))
                {
                    node.Rebalance();
                }
            }
        }
        if (_buckets is not null)
        {
            foreach (var child in _buckets.Values)
            {
                child.Rebalance();
            }
        }
    }

    /// <summary>Writes changed nodes to dirty pages, nested buckets first (inline when small enough).</summary>
    internal void Spill()
    {
        if (_buckets is not null)
        {
            foreach (var (name, child) in _buckets)
            {
                byte* value;
                int valueLength;
                if (child.Inlineable())
                {
                    child.Free();
                    (var inlineValue, valueLength) = child.WriteInline();
                    value = (byte*)inlineValue;
                }
                else
                {
                    child.Spill();
                    valueLength = PageLayout.BucketHeaderSize;
                    value = Tx.Arena.Allocate(valueLength);
                    Unsafe.WriteUnaligned(value, child.RootPgid);
                    Unsafe.WriteUnaligned(value + 8, child.SequenceValue);
                }
                if (child.RootNode is null)
                {
                    continue;
                }
                var c = Scratch();
                c.SeekRaw(name);
                if (!c.RawValid || !c.RawKey.SequenceEqual(name))
                {
                    throw new InvalidOperationException($"misplaced bucket header: {Convert.ToHexString(name)}");
                }
                if ((c.RawFlags & PageLayout.BucketLeafFlag) == 0)
                {
                    throw new InvalidOperationException($"unexpected bucket header flag: {c.RawFlags:x}");
                }
                var key = Tx.Arena.Copy(name);
                c.LeafNode().Put(name, key, name.Length, value, valueLength, 0, PageLayout.BucketLeafFlag);
            }
        }

        if (RootNode is null)
        {
            return;
        }
        RootNode.Spill();
        RootNode = RootNode.Root();
        if (RootNode.Pgid >= Tx.MetaPgid)
        {
            throw new InvalidOperationException($"pgid ({RootNode.Pgid}) above high water mark ({Tx.MetaPgid})");
        }
        RootPgid = RootNode.Pgid;
    }

    /// <summary>Small buckets without nested buckets are stored inside their parent's leaf.</summary>
    private bool Inlineable()
    {
        var n = RootNode;
        if (n is null || !n.IsLeaf)
        {
            return false;
        }
        var size = PageLayout.HeaderSize;
        var max = Tx.Database.PageSize / 4;
        foreach (ref var inode in n.Inodes.AsSpan())
        {
            size += PageLayout.LeafElementSize + inode.KeyLength + inode.ValueLength;
            if ((inode.Flags & PageLayout.BucketLeafFlag) != 0 || size > max)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>The inline value: bucket header then the root node written as a page.</summary>
    private (nint Value, int Length) WriteInline()
    {
        var n = RootNode!;
        var length = PageLayout.BucketHeaderSize + n.Size();
        var value = Tx.Arena.Allocate(length);
        new Span<byte>(value, length).Clear();
        Unsafe.WriteUnaligned(value, RootPgid);
        Unsafe.WriteUnaligned(value + 8, SequenceValue);
        n.Write(value + PageLayout.BucketHeaderSize);
        return ((nint)value, length);
    }

    /// <summary>Frees every page of the bucket.</summary>
    private void Free()
    {
        if (RootPgid == 0)
        {
            return;
        }
        ForEachPageNode((page, node, _) =>
        {
            if (node is null)
            {
                Tx.FreePage(page!.Value);
            }
            else
            {
                node.Free();
            }
        });
        RootPgid = 0;
    }
}
