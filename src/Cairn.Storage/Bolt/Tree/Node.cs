using System.Runtime.CompilerServices;
using Cairn.Storage.Bolt.Format;

namespace Cairn.Storage.Bolt.Tree;

/// <summary>
/// An in-memory, deserialized page of a write transaction (bbolt's node.go): changed nodes are
/// split, written to freshly allocated pages (copy-on-write) and their parents updated when the
/// transaction commits; nodes that lost keys are merged with a sibling first.
/// </summary>
internal sealed unsafe class Node
{
    public Node(BoltBucket bucket, Node? parent)
    {
        Bucket = bucket;
        Parent = parent;
    }

    public BoltBucket Bucket { get; }

    public Node? Parent { get; set; }

    public bool IsLeaf { get; set; }

    public bool Unbalanced { get; set; }

    public bool Spilled { get; set; }

    /// <summary>The page this node was read from (0 once freed or when new).</summary>
    public ulong Pgid { get; set; }

    /// <summary>The first key when read, used to find this node in its parent on spill.</summary>
    public byte* Key;
    public int KeyLength;

    public List<Node> Children { get; set; } = new();

    public InodeList Inodes { get; set; } = new();

    private ReadOnlySpan<byte> KeySpan => new(Key, KeyLength);

    public Node Root() => Parent is null ? this : Parent.Root();

    private int MinKeys => IsLeaf ? 1 : 2;

    private int ElementSize => IsLeaf ? PageLayout.LeafElementSize : PageLayout.BranchElementSize;

    /// <summary>Bytes this node takes when written to a page.</summary>
    public int Size()
    {
        long size = PageLayout.HeaderSize;
        var elementSize = ElementSize;
        foreach (ref var inode in Inodes.AsSpan())
        {
            size += elementSize + inode.KeyLength + inode.ValueLength;
        }
        return checked((int)size);
    }

    internal Node ChildAt(int index)
    {
        if (IsLeaf)
        {
            throw new InvalidOperationException($"invalid childAt({index}) on a leaf node");
        }
        return Bucket.NodeFor(Inodes[index].Pgid, this);
    }

    private int ChildIndex(Node child) => Inodes.LowerBound(child.KeySpan, out _);

    private Node? NextSibling()
    {
        if (Parent is null)
        {
            return null;
        }
        var index = Parent.ChildIndex(this);
        return index >= Parent.Inodes.Count - 1 ? null : Parent.ChildAt(index + 1);
    }

    private Node? PrevSibling()
    {
        if (Parent is null)
        {
            return null;
        }
        var index = Parent.ChildIndex(this);
        return index == 0 ? null : Parent.ChildAt(index - 1);
    }

    /// <summary>Inserts or replaces the element at <paramref name="oldKey"/>; all pointers must outlive the transaction.</summary>
    public void Put(ReadOnlySpan<byte> oldKey, byte* newKey, int newKeyLength, byte* value, int valueLength, ulong pgid, uint flags)
    {
        if (pgid >= Bucket.Tx.MetaPgid)
        {
            throw new InvalidOperationException($"pgid ({pgid}) above high water mark ({Bucket.Tx.MetaPgid})");
        }
        if (oldKey.Length == 0 || newKeyLength == 0)
        {
            throw new InvalidOperationException("put: zero-length key");
        }
        var index = Inodes.LowerBound(oldKey, out var exact);
        if (!exact)
        {
            Inodes.Insert(index, default);
        }
        ref var inode = ref Inodes[index];
        inode.Flags = flags;
        inode.Key = newKey;
        inode.KeyLength = newKeyLength;
        inode.Value = value;
        inode.ValueLength = valueLength;
        inode.Pgid = pgid;
    }

    public void Delete(ReadOnlySpan<byte> key)
    {
        var index = Inodes.LowerBound(key, out var exact);
        if (!exact)
        {
            return;
        }
        Inodes.RemoveAt(index);
        Unbalanced = true;
    }

    /// <summary>Initializes the node from a page; keys and values keep pointing into the page.</summary>
    public void Read(in Page page)
    {
        Pgid = page.OpenedAs ?? 0;
        IsLeaf = page.IsLeaf;
        var count = page.Count;
        var inodes = new InodeList(Math.Max(count, 4));
        for (var i = 0; i < count; i++)
        {
            var inode = default(Inode);
            if (IsLeaf)
            {
                page.LeafEntry(i, out inode.Key, out inode.KeyLength, out inode.Value, out inode.ValueLength);
                inode.Flags = page.LeafFlags(i);
            }
            else
            {
                page.BranchEntry(i, out inode.Key, out inode.KeyLength);
                inode.Pgid = page.BranchChild(i);
            }
            if (inode.KeyLength == 0)
            {
                throw page.Corrupt($"element {i} has a zero-length key");
            }
            inodes.Add(inode);
        }
        Inodes = inodes;
        if (count > 0)
        {
            Key = Inodes[0].Key;
            KeyLength = Inodes[0].KeyLength;
        }
        else
        {
            Key = null;
            KeyLength = 0;
        }
    }

    /// <summary>Writes the elements onto a page buffer of at least <see cref="Size"/> bytes.</summary>
    public void Write(byte* p)
    {
        var flags = (ushort)(Unsafe.ReadUnaligned<ushort>(p + 8) | (IsLeaf ? PageLayout.LeafPageFlag : PageLayout.BranchPageFlag));
        Unsafe.WriteUnaligned(p + 8, flags);
        if (Inodes.Count >= 0xFFFF)
        {
            throw new InvalidOperationException($"inode overflow: {Inodes.Count} (pgid={Unsafe.ReadUnaligned<ulong>(p)})");
        }
        Unsafe.WriteUnaligned(p + 10, (ushort)Inodes.Count);
        if (Inodes.Count == 0)
        {
            return;
        }
        var elementSize = ElementSize;
        var data = p + PageLayout.HeaderSize + (elementSize * Inodes.Count);
        var element = p + PageLayout.HeaderSize;
        foreach (ref var item in Inodes.AsSpan())
        {
            var pos = (uint)(data - element);
            if (IsLeaf)
            {
                Unsafe.WriteUnaligned(element, item.Flags);
                Unsafe.WriteUnaligned(element + 4, pos);
                Unsafe.WriteUnaligned(element + 8, (uint)item.KeyLength);
                Unsafe.WriteUnaligned(element + 12, (uint)item.ValueLength);
            }
            else
            {
                Unsafe.WriteUnaligned(element, pos);
                Unsafe.WriteUnaligned(element + 4, (uint)item.KeyLength);
                Unsafe.WriteUnaligned(element + 8, item.Pgid);
            }
            Buffer.MemoryCopy(item.Key, data, item.KeyLength, item.KeyLength);
            data += item.KeyLength;
            if (item.ValueLength > 0)
            {
                Buffer.MemoryCopy(item.Value, data, item.ValueLength, item.ValueLength);
                data += item.ValueLength;
            }
            element += elementSize;
        }
    }

    /// <summary>
    /// Breaks the node into page-sized nodes, the first being this one (bbolt's split/splitTwo).
    /// The boundaries are found first and each piece copied once, so a node that grew by many
    /// thousands of keys in one transaction splits in linear time.
    /// </summary>
    private List<Node> Split(int pageSize)
    {
        var nodes = new List<Node>(2) { this };
        var fillPercent = Math.Clamp(Bucket.FillPercent, BoltBucket.MinFillPercent, BoltBucket.MaxFillPercent);
        var threshold = (int)(pageSize * fillPercent);
        var boundaries = new List<int>();
        var start = 0;
        while (Inodes.Count - start > PageLayout.MinKeysPerPage * 2 && !SizeLessThan(start, pageSize))
        {
            start += SplitIndex(start, threshold);
            boundaries.Add(start);
        }
        if (boundaries.Count == 0)
        {
            return nodes;
        }
        if (Parent is null)
        {
            Parent = new Node(Bucket, null);
            Parent.Children.Add(this);
        }
        var all = Inodes;
        for (var i = 0; i < boundaries.Count; i++)
        {
            var end = i + 1 < boundaries.Count ? boundaries[i + 1] : all.Count;
            var next = new Node(Bucket, Parent) { IsLeaf = IsLeaf, Inodes = all.Slice(boundaries[i], end - boundaries[i]) };
            Parent.Children.Add(next);
            nodes.Add(next);
            Bucket.Tx.TxStats.Split++;
        }
        Inodes = all.Slice(0, boundaries[0]);
        return nodes;
    }

    private bool SizeLessThan(int start, long limit)
    {
        long size = PageLayout.HeaderSize;
        var elementSize = ElementSize;
        var inodes = Inodes.AsSpan();
        for (var i = start; i < inodes.Length; i++)
        {
            size += elementSize + inodes[i].KeyLength + inodes[i].ValueLength;
            if (size >= limit)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>How many inodes from <paramref name="start"/> fill a page to <paramref name="threshold"/> (at least the minimum keys each side).</summary>
    private int SplitIndex(int start, int threshold)
    {
        var size = PageLayout.HeaderSize;
        var index = 0;
        var inodes = Inodes.AsSpan();
        for (var i = 0; i < inodes.Length - start - PageLayout.MinKeysPerPage; i++)
        {
            index = i;
            ref var inode = ref inodes[start + i];
            var elementSize = ElementSize + inode.KeyLength + inode.ValueLength;
            if (index >= PageLayout.MinKeysPerPage && size + elementSize > threshold)
            {
                break;
            }
            size += elementSize;
        }
        return index;
    }

    /// <summary>Writes this node (and its changed children first) to newly allocated pages.</summary>
    public void Spill()
    {
        var tx = Bucket.Tx;
        if (Spilled)
        {
            return;
        }
        // Children may materialize siblings while spilling (split-merge), so index rather than enumerate.
        Children.Sort(static (a, b) => a.Inodes[0].KeySpan.SequenceCompareTo(b.Inodes[0].KeySpan));
        for (var i = 0; i < Children.Count; i++)
        {
            Children[i].Spill();
        }
        Children = new List<Node>();

        var pageSize = tx.Database.PageSize;
        foreach (var node in Split(pageSize))
        {
            if (node.Pgid > 0)
            {
                tx.FreePage(node.Pgid);
                node.Pgid = 0;
            }
            var pageCount = (node.Size() + pageSize - 1) / pageSize;
            var p = tx.Allocate(pageCount, out var pgid);
            if (pgid >= tx.MetaPgid)
            {
                throw new InvalidOperationException($"pgid ({pgid}) above high water mark ({tx.MetaPgid})");
            }
            node.Pgid = pgid;
            node.Write(p);
            node.Spilled = true;

            if (node.Parent is not null)
            {
                var key = node.KeyLength > 0 ? node.KeySpan : node.Inodes[0].KeySpan;
                ref var first = ref node.Inodes[0];
                node.Parent.Put(key, first.Key, first.KeyLength, null, 0, node.Pgid, 0);
                node.Key = first.Key;
                node.KeyLength = first.KeyLength;
            }
            tx.TxStats.Spill++;
        }

        // A root that split got a new parent: spill it too.
        if (Parent is not null && Parent.Pgid == 0)
        {
            Children = new List<Node>();
            Parent.Spill();
        }
    }

    /// <summary>Merges the node into a sibling when it is under 25% full or has too few keys.</summary>
    public void Rebalance()
    {
        if (!Unbalanced)
        {
            return;
        }
        Unbalanced = false;
        Bucket.Tx.TxStats.Rebalance++;

        var threshold = Bucket.Tx.Database.PageSize / 4;
        if (Size() > threshold && Inodes.Count > MinKeys)
        {
            return;
        }

        if (Parent is null)
        {
            // A branch root with one child collapses into that child.
            if (!IsLeaf && Inodes.Count == 1)
            {
                var child = Bucket.NodeFor(Inodes[0].Pgid, this);
                IsLeaf = child.IsLeaf;
                Inodes = child.Inodes;
                Children = child.Children;
                foreach (ref var inode in Inodes.AsSpan())
                {
                    if (inode.Pgid != 0 && Bucket.TryGetCachedNode(inode.Pgid, out var grandChild))
                    {
                        grandChild.Parent = this;
                    }
                }
                child.Parent = null;
                Bucket.ForgetNode(child.Pgid);
                child.Free();
            }
            return;
        }

        if (Inodes.Count == 0)
        {
            Parent.Delete(KeySpan);
            Parent.RemoveChild(this);
            Bucket.ForgetNode(Pgid);
            Free();
            Parent.Rebalance();
            return;
        }

        if (Parent.Inodes.Count <= 1)
        {
            throw new InvalidOperationException("parent must have at least 2 children");
        }

        var useNextSibling = Parent.ChildIndex(this) == 0;
        var target = (useNextSibling ? NextSibling() : PrevSibling())!;
        if (useNextSibling)
        {
            foreach (ref var inode in target.Inodes.AsSpan())
            {
                if (inode.Pgid != 0 && Bucket.TryGetCachedNode(inode.Pgid, out var child))
                {
                    child.Parent!.RemoveChild(child);
                    child.Parent = this;
                    Children.Add(child);
                }
            }
            Inodes.AddRange(target.Inodes);
            Parent.Delete(target.KeySpan);
            Parent.RemoveChild(target);
            Bucket.ForgetNode(target.Pgid);
            target.Free();
        }
        else
        {
            foreach (ref var inode in Inodes.AsSpan())
            {
                if (inode.Pgid != 0 && Bucket.TryGetCachedNode(inode.Pgid, out var child))
                {
                    child.Parent!.RemoveChild(child);
                    child.Parent = target;
                    target.Children.Add(child);
                }
            }
            target.Inodes.AddRange(Inodes);
            Parent.Delete(KeySpan);
            Parent.RemoveChild(this);
            Bucket.ForgetNode(Pgid);
            Free();
        }
        Parent.Rebalance();
    }

    private void RemoveChild(Node target) => Children.Remove(target);

    /// <summary>Gives the node's page back to the freelist (pending until no reader can see it).</summary>
    public void Free()
    {
        if (Pgid != 0)
        {
            Bucket.Tx.FreePage(Pgid);
            Pgid = 0;
        }
    }
}
