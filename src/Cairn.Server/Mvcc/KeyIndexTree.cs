namespace Cairn.Server.Mvcc;

/// <summary>
/// The keys of the index in byte order (as Go's <c>bytes.Compare</c>): a B+tree of
/// <see cref="KeyIndex"/> with leaves chained for range scans. Chosen over the BCL's sorted
/// collections for memory (11 bytes per key for the tree itself at 1M keys, against 56 for
/// SortedDictionary's red-black nodes), lookups as fast, and "first key at or after X" scans
/// that SortedDictionary cannot do (bench: mvcc-index-structure). Not thread-safe:
/// <see cref="TreeIndex"/> guards it.
/// </summary>
internal sealed class KeyIndexTree
{
    // 64 slots: a leaf is one 536-byte array, binary search stays within a few cache lines, and
    // splits move little.
    private const int MaxItems = 64;
    private const int MinItems = MaxItems / 4;

    private Node _root = new Leaf();

    public int Count { get; private set; }

    /// <summary>Levels from the root to the leaves (1 for a lone leaf).</summary>
    internal int Height
    {
        get
        {
            int height = 1;
            for (var node = _root; node is Branch b; node = b.Children[0]!)
            {
                height++;
            }
            return height;
        }
    }

    public KeyIndex? Find(ReadOnlySpan<byte> key)
    {
        var leaf = FindLeaf(key);
        int i = leaf.Search(key);
        return i >= 0 ? leaf.Items[i] : null;
    }

    /// <summary>Adds a key that is not in the tree yet.</summary>
    public void Insert(KeyIndex item)
    {
        var split = _root.Insert(item);
        if (split is not null)
        {
            var root = new Branch();
            root.Children[0] = _root;
            root.Children[1] = split.Value.Right;
            root.Separators[0] = split.Value.Separator;
            root.Count = 2;
            _root = root;
        }
        Count++;
    }

    /// <summary>
    /// Fills an empty tree with keys already in strictly increasing order, bottom up, nodes
    /// three quarters full (room to grow before splitting). Much cheaper than inserting one by
    /// one: no searches, no splits.
    /// </summary>
    public void BulkLoad(IReadOnlyList<KeyIndex> sorted)
    {
        if (Count != 0)
        {
            throw new InvalidOperationException("bulk load into a tree that is not empty");
        }
        for (int i = 1; i < sorted.Count; i++)
        {
            if (sorted[i - 1].Key.AsSpan().SequenceCompareTo(sorted[i].Key) >= 0)
            {
                throw new ArgumentException($"keys out of order at {i}: {KeyIndex.Printable(sorted[i].Key)}", nameof(sorted));
            }
        }
        if (sorted.Count == 0)
        {
            return;
        }
        var level = new List<Node>();
        Leaf? previous = null;
        foreach (var (start, length) in EvenGroups(sorted.Count))
        {
            var leaf = new Leaf();
            for (int i = 0; i < length; i++)
            {
                leaf.Append(sorted[start + i]);
            }
            if (previous is not null)
            {
                previous.Next = leaf;
            }
            previous = leaf;
            level.Add(leaf);
        }
        while (level.Count > 1)
        {
            var parents = new List<Node>();
            foreach (var (start, length) in EvenGroups(level.Count))
            {
                var branch = new Branch();
                for (int i = 0; i < length; i++)
                {
                    branch.Children[i] = level[start + i];
                    if (i > 0)
                    {
                        branch.Separators[i - 1] = level[start + i].FirstKey;
                    }
                }
                branch.Count = length;
                parents.Add(branch);
            }
            level = parents;
        }
        _root = level[0];
        Count = sorted.Count;
    }

    /// <summary>
    /// Splits <paramref name="count"/> entries into nodes of about three quarters of
    /// <see cref="MaxItems"/>, as even as possible, so that none falls below
    /// <see cref="MinItems"/> (unless there is only one).
    /// </summary>
    private static IEnumerable<(int Start, int Length)> EvenGroups(int count)
    {
        const int fill = MaxItems * 3 / 4;
        int groups = (count + fill - 1) / fill;
        int size = count / groups, extra = count % groups, start = 0;
        for (int g = 0; g < groups; g++)
        {
            int length = size + (g < extra ? 1 : 0);
            yield return (start, length);
            start += length;
        }
    }

    public bool Remove(ReadOnlySpan<byte> key)
    {
        if (!_root.Remove(key))
        {
            return false;
        }
        Count--;
        if (_root is Branch { Count: 1 } b)
        {
            _root = b.Children[0]!;
        }
        return true;
    }

    /// <summary>The keys at or after <paramref name="from"/>, in order.</summary>
    public Cursor Seek(ReadOnlySpan<byte> from)
    {
        var leaf = FindLeaf(from);
        int i = leaf.Search(from);
        return new Cursor(leaf, i >= 0 ? i : ~i);
    }

    /// <summary>Every key, in order.</summary>
    public Cursor First()
    {
        var node = _root;
        while (node is Branch b)
        {
            node = b.Children[0]!;
        }
        return new Cursor((Leaf)node, 0);
    }

    /// <summary>
    /// Verifies the tree's structure (order, separators, fill, leaf chain, count); throws naming
    /// the first broken rule. For tests.
    /// </summary>
    internal void CheckInvariants()
    {
        var leaves = new List<Leaf>();
        int count = Check(_root, null, null, isRoot: true, leaves);
        if (count != Count)
        {
            throw new InvalidOperationException($"tree holds {count} keys but counts {Count}");
        }
        for (int i = 0; i < leaves.Count; i++)
        {
            var expected = i + 1 < leaves.Count ? leaves[i + 1] : null;
            if (!ReferenceEquals(leaves[i].Next, expected))
            {
                throw new InvalidOperationException($"leaf {i} is not chained to the next leaf");
            }
        }
    }

    private static int Check(Node node, byte[]? low, byte[]? high, bool isRoot, List<Leaf> leaves)
    {
        if (!isRoot && node.Count < MinItems)
        {
            throw new InvalidOperationException($"{node.GetType().Name} holds {node.Count} entries, below {MinItems}");
        }
        if (node is Leaf leaf)
        {
            leaves.Add(leaf);
            for (int i = 0; i < leaf.Count; i++)
            {
                var key = leaf.Items[i]!.Key;
                if ((i > 0 && leaf.Items[i - 1]!.Key.AsSpan().SequenceCompareTo(key) >= 0) ||
                    (low is not null && key.AsSpan().SequenceCompareTo(low) < 0) ||
                    (high is not null && key.AsSpan().SequenceCompareTo(high) >= 0))
                {
                    throw new InvalidOperationException($"key {KeyIndex.Printable(key)} out of order in a leaf");
                }
            }
            for (int i = leaf.Count; i < MaxItems; i++)
            {
                if (leaf.Items[i] is not null)
                {
                    throw new InvalidOperationException("a leaf holds a stale item past its count");
                }
            }
            return leaf.Count;
        }
        var branch = (Branch)node;
        if (branch.Count < 2)
        {
            throw new InvalidOperationException($"a branch has {branch.Count} children");
        }
        int total = 0;
        for (int i = 0; i < branch.Count; i++)
        {
            var lo = i == 0 ? low : branch.Separators[i - 1];
            var hi = i == branch.Count - 1 ? high : branch.Separators[i];
            total += Check(branch.Children[i]!, lo, hi, isRoot: false, leaves);
        }
        for (int i = branch.Count; i < MaxItems; i++)
        {
            if (branch.Children[i] is not null || (i > 0 && branch.Separators[i - 1] is not null))
            {
                throw new InvalidOperationException("a branch holds a stale child past its count");
            }
        }
        return total;
    }

    private Leaf FindLeaf(ReadOnlySpan<byte> key)
    {
        var node = _root;
        while (node is Branch b)
        {
            node = b.Children[b.ChildFor(key)]!;
        }
        return (Leaf)node;
    }

    /// <summary>Walks keys in order along the leaf chain. Invalidated by any change to the tree.</summary>
    public struct Cursor
    {
        private Leaf? _leaf;
        private int _index;

        internal Cursor(Leaf leaf, int index)
        {
            _leaf = leaf;
            _index = index - 1;
        }

        public KeyIndex Current => _leaf!.Items[_index]!;

        public bool MoveNext()
        {
            if (_leaf is null)
            {
                return false;
            }
            _index++;
            while (_index >= _leaf.Count)
            {
                _leaf = _leaf.Next;
                _index = 0;
                if (_leaf is null)
                {
                    return false;
                }
            }
            return true;
        }
    }

    internal readonly record struct Split(byte[] Separator, Node Right);

    internal abstract class Node
    {
        public int Count;

        /// <summary>Inserts; returns the new right sibling when this node had to split.</summary>
        public abstract Split? Insert(KeyIndex item);

        public abstract bool Remove(ReadOnlySpan<byte> key);

        public abstract byte[] FirstKey { get; }
    }

    internal sealed class Leaf : Node
    {
        public readonly KeyIndex?[] Items = new KeyIndex?[MaxItems];
        public Leaf? Next;

        public override byte[] FirstKey => Items[0]!.Key;

        /// <summary>Position of the key, or the bitwise complement of where it would go.</summary>
        public int Search(ReadOnlySpan<byte> key)
        {
            int lo = 0, hi = Count - 1;
            while (lo <= hi)
            {
                int mid = (lo + hi) >>> 1;
                int c = Items[mid]!.Key.AsSpan().SequenceCompareTo(key);
                if (c == 0)
                {
                    return mid;
                }
                if (c < 0)
                {
                    lo = mid + 1;
                }
                else
                {
                    hi = mid - 1;
                }
            }
            return ~lo;
        }

        public override Split? Insert(KeyIndex item)
        {
            int i = Search(item.Key);
            if (i >= 0)
            {
                throw new InvalidOperationException($"mvcc index: key {KeyIndex.Printable(item.Key)} is already in the tree");
            }
            i = ~i;
            if (Count < MaxItems)
            {
                Array.Copy(Items, i, Items, i + 1, Count - i);
                Items[i] = item;
                Count++;
                return null;
            }
            // Split in half, then insert into the half the key belongs to.
            var right = new Leaf();
            int half = MaxItems / 2;
            Array.Copy(Items, half, right.Items, 0, MaxItems - half);
            Array.Clear(Items, half, MaxItems - half);
            right.Count = MaxItems - half;
            Count = half;
            right.Next = Next;
            Next = right;
            if (i <= half)
            {
                Insert(item);
            }
            else
            {
                right.Insert(item);
            }
            return new Split(right.FirstKey, right);
        }

        public override bool Remove(ReadOnlySpan<byte> key)
        {
            int i = Search(key);
            if (i < 0)
            {
                return false;
            }
            RemoveAt(i);
            return true;
        }

        public void RemoveAt(int i)
        {
            Array.Copy(Items, i + 1, Items, i, Count - i - 1);
            Items[--Count] = null;
        }

        public void Append(KeyIndex item) => Items[Count++] = item;
    }

    internal sealed class Branch : Node
    {
        // Separators[i] is the first key of Children[i + 1]: every key in Children[i] is below it.
        public readonly byte[]?[] Separators = new byte[]?[MaxItems - 1];
        public readonly Node?[] Children = new Node?[MaxItems];

        public override byte[] FirstKey => Children[0]!.FirstKey;

        public int ChildFor(ReadOnlySpan<byte> key)
        {
            int lo = 0, hi = Count - 2;
            while (lo <= hi)
            {
                int mid = (lo + hi) >>> 1;
                if (Separators[mid].AsSpan().SequenceCompareTo(key) <= 0)
                {
                    lo = mid + 1;
                }
                else
                {
                    hi = mid - 1;
                }
            }
            return lo;
        }

        public override Split? Insert(KeyIndex item)
        {
            int ci = ChildFor(item.Key);
            var split = Children[ci]!.Insert(item);
            if (split is null)
            {
                return null;
            }
            if (Count < MaxItems)
            {
                InsertChild(ci + 1, split.Value.Separator, split.Value.Right);
                return null;
            }
            // Split: the left keeps half the children, the middle separator moves up.
            var right = new Branch();
            int half = MaxItems / 2;
            Array.Copy(Children, half, right.Children, 0, MaxItems - half);
            Array.Copy(Separators, half, right.Separators, 0, MaxItems - half - 1);
            byte[] up = Separators[half - 1]!;
            Array.Clear(Children, half, MaxItems - half);
            Array.Clear(Separators, half - 1, MaxItems - half);
            right.Count = MaxItems - half;
            Count = half;
            if (ci + 1 <= half)
            {
                InsertChild(ci + 1, split.Value.Separator, split.Value.Right);
            }
            else
            {
                right.InsertChild(ci + 1 - half, split.Value.Separator, split.Value.Right);
            }
            return new Split(up, right);
        }

        private void InsertChild(int at, byte[] separator, Node child)
        {
            Array.Copy(Children, at, Children, at + 1, Count - at);
            Array.Copy(Separators, at - 1, Separators, at, Count - at);
            Children[at] = child;
            Separators[at - 1] = separator;
            Count++;
        }

        private void RemoveChild(int at)
        {
            Array.Copy(Children, at + 1, Children, at, Count - at - 1);
            Array.Copy(Separators, at, Separators, at - 1, Count - at - 1);
            Children[Count - 1] = null;
            Separators[Count - 2] = null;
            Count--;
        }

        public override bool Remove(ReadOnlySpan<byte> key)
        {
            int ci = ChildFor(key);
            var child = Children[ci]!;
            if (!child.Remove(key))
            {
                return false;
            }
            if (child.Count < MinItems)
            {
                Rebalance(ci);
            }
            return true;
        }

        /// <summary>Refills an underfull child from a sibling, or merges the two.</summary>
        private void Rebalance(int ci)
        {
            // Work on the pair (left, right) = (ci - 1, ci) or (ci, ci + 1).
            int li = ci > 0 ? ci - 1 : ci;
            if (li + 1 >= Count)
            {
                return; // only child: the tree shrinks at the root instead
            }
            var left = Children[li]!;
            var right = Children[li + 1]!;
            if (left.Count + right.Count <= MaxItems)
            {
                Merge(li, left, right);
            }
            else if (left.Count < right.Count)
            {
                ShiftLeft(li, left, right);
            }
            else
            {
                ShiftRight(li, left, right);
            }
        }

        private void Merge(int li, Node left, Node right)
        {
            if (left is Leaf l)
            {
                var r = (Leaf)right;
                Array.Copy(r.Items, 0, l.Items, l.Count, r.Count);
                l.Count += r.Count;
                l.Next = r.Next;
            }
            else
            {
                var lb = (Branch)left;
                var rb = (Branch)right;
                lb.Separators[lb.Count - 1] = Separators[li];
                Array.Copy(rb.Separators, 0, lb.Separators, lb.Count, rb.Count - 1);
                Array.Copy(rb.Children, 0, lb.Children, lb.Count, rb.Count);
                lb.Count += rb.Count;
            }
            RemoveChild(li + 1);
        }

        /// <summary>Moves entries from the right sibling to the left one until they are even.</summary>
        private void ShiftLeft(int li, Node left, Node right)
        {
            int move = (right.Count - left.Count) / 2;
            if (left is Leaf l)
            {
                var r = (Leaf)right;
                for (int i = 0; i < move; i++)
                {
                    l.Append(r.Items[i]!);
                }
                Array.Copy(r.Items, move, r.Items, 0, r.Count - move);
                Array.Clear(r.Items, r.Count - move, move);
                r.Count -= move;
                Separators[li] = r.FirstKey;
            }
            else
            {
                var lb = (Branch)left;
                var rb = (Branch)right;
                for (int i = 0; i < move; i++)
                {
                    lb.Separators[lb.Count - 1] = Separators[li];
                    lb.Children[lb.Count] = rb.Children[i];
                    lb.Count++;
                    Separators[li] = rb.Separators[i];
                }
                Array.Copy(rb.Children, move, rb.Children, 0, rb.Count - move);
                Array.Copy(rb.Separators, move, rb.Separators, 0, rb.Count - 1 - move);
                Array.Clear(rb.Children, rb.Count - move, move);
                Array.Clear(rb.Separators, rb.Count - 1 - move, move);
                rb.Count -= move;
            }
        }

        /// <summary>Moves entries from the left sibling to the right one until they are even.</summary>
        private void ShiftRight(int li, Node left, Node right)
        {
            int move = (left.Count - right.Count) / 2;
            if (left is Leaf l)
            {
                var r = (Leaf)right;
                Array.Copy(r.Items, 0, r.Items, move, r.Count);
                Array.Copy(l.Items, l.Count - move, r.Items, 0, move);
                Array.Clear(l.Items, l.Count - move, move);
                l.Count -= move;
                r.Count += move;
                Separators[li] = r.FirstKey;
            }
            else
            {
                var lb = (Branch)left;
                var rb = (Branch)right;
                Array.Copy(rb.Children, 0, rb.Children, move, rb.Count);
                Array.Copy(rb.Separators, 0, rb.Separators, move, rb.Count - 1);
                for (int i = move - 1; i >= 0; i--)
                {
                    // The parent separator comes down, the left's last separator goes up.
                    rb.Separators[i] = Separators[li];
                    rb.Children[i] = lb.Children[lb.Count - 1];
                    Separators[li] = lb.Separators[lb.Count - 2];
                    lb.Children[lb.Count - 1] = null;
                    lb.Separators[lb.Count - 2] = null;
                    lb.Count--;
                }
                rb.Count += move;
            }
        }
    }
}
