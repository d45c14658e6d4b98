using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Cairn.Storage.Bolt.Format;
using Cairn.Storage.Bolt.Tree;

namespace Cairn.Storage.Bolt;

/// <summary>
/// Walks a bucket's keys in order (bbolt's Cursor). Each move returns whether the cursor is on an
/// entry; <see cref="Key"/> and <see cref="Value"/> then describe it. A nested bucket shows with
/// <see cref="IsBucket"/> set and an empty value. The spans point into the map (or the write
/// transaction's memory) and are valid only until the transaction ends. Mutating the bucket
/// invalidates the position: seek again after a change.
/// </summary>
public sealed unsafe class BoltCursor
{
    private readonly BoltBucket _bucket;
    private readonly BoltTransaction _tx;
    private ElemRef[] _stack = new ElemRef[8];
    private int _depth;

    private byte* _key;
    private int _keyLength;
    private byte* _value;
    private int _valueLength;
    private uint _flags;
    private bool _valid;

    // The leaf page the cursor is on, when it is a page (not a node of a write transaction):
    // Next stays on it without going through the stack, which is what a scan does almost always.
    private Page _leaf;
    private int _leafIndex;
    private int _leafLast = -1;

    internal BoltCursor(BoltBucket bucket)
    {
        _bucket = bucket;
        _tx = bucket.Tx;
    }

    private struct ElemRef
    {
        public Page Page;
        public Node? Node;
        public int Index;

        public readonly bool IsLeaf => Node?.IsLeaf ?? Page.IsLeaf;

        public readonly int Count => Node?.Inodes.Count ?? Page.Count;
    }

    public BoltBucket Bucket => _bucket;

    /// <summary>The current key; empty when the last move found nothing.</summary>
    public ReadOnlySpan<byte> Key => new(_key, _valid ? _keyLength : 0);

    /// <summary>The current value; empty for a nested bucket or when the last move found nothing.</summary>
    public ReadOnlySpan<byte> Value => new(_value, _valid && !IsBucket ? _valueLength : 0);

    /// <summary>Whether the current entry is a nested bucket.</summary>
    public bool IsBucket => _valid && (_flags & PageLayout.BucketLeafFlag) != 0;

    /// <summary>Whether the cursor is on an entry.</summary>
    public bool IsValid => _valid;

    // Raw view of the last internal positioning, used by the bucket (bbolt's seek, which does not step to the next page).
    internal bool RawValid => _valid;

    internal ReadOnlySpan<byte> RawKey => new(_key, _keyLength);

    internal uint RawFlags => _flags;

    internal byte* RawValuePtr => _value;

    internal int RawValueLength => _valueLength;

    /// <summary>Moves to the first entry.</summary>
    public bool First()
    {
        _bucket.Tx.EnsureOpen();
        _leafLast = -1;
        _depth = 0;
        Push(_bucket.RootPgid, 0, fromEnd: false);
        DescendFirst();
        if (Top.Count == 0)
        {
            return StepNext();
        }
        return LoadCurrent();
    }

    /// <summary>Moves to the last entry.</summary>
    public bool Last()
    {
        _bucket.Tx.EnsureOpen();
        _leafLast = -1;
        _depth = 0;
        Push(_bucket.RootPgid, 0, fromEnd: true);
        DescendLast();
        return LoadCurrent();
    }

    /// <summary>Moves to the next entry.</summary>
    public bool Next()
    {
        _tx.EnsureOpen();
        if (_leafIndex < _leafLast)
        {
            _flags = _leaf.LeafEntryWithFlags(++_leafIndex, out _key, out _keyLength, out _value, out _valueLength);
            return true;
        }
        SyncLeafIndex();
        return StepNext();
    }

    /// <summary>Moves to the previous entry.</summary>
    public bool Prev()
    {
        _bucket.Tx.EnsureOpen();
        SyncLeafIndex();
        for (var i = _depth - 1; i >= 0; i--)
        {
            ref var elem = ref _stack[i];
            if (elem.Index > 0)
            {
                elem.Index--;
                break;
            }
            _depth = i;
        }
        if (_depth == 0)
        {
            return Clear();
        }
        DescendLast();
        return LoadCurrent();
    }

    /// <summary>Moves to <paramref name="seek"/>, or to the next key after it when it is missing.</summary>
    public bool Seek(ReadOnlySpan<byte> seek)
    {
        SeekRaw(seek);
        ref var top = ref Top;
        if (top.Index >= top.Count)
        {
            return StepNext();
        }
        return _valid;
    }

    /// <summary>Deletes the current entry (not a nested bucket).</summary>
    public void Delete()
    {
        _bucket.Tx.EnsureWritable();
        SyncLeafIndex();
        LoadCurrent();
        if (!_valid)
        {
            return;
        }
        if ((_flags & PageLayout.BucketLeafFlag) != 0)
        {
            throw BoltErrors.IncompatibleValue();
        }
        LeafNode().Delete(RawKey);
    }

    /// <summary>Positions on the leaf slot for <paramref name="key"/> without stepping past a page end.</summary>
    internal void SeekRaw(ReadOnlySpan<byte> key)
    {
        _bucket.Tx.EnsureOpen();
        _leafLast = -1;
        _depth = 0;
        Search(key, _bucket.RootPgid);
        LoadCurrent();
    }

    /// <summary>The leaf node under the cursor, materializing the path from the root (write transactions).</summary>
    internal Node LeafNode()
    {
        SyncLeafIndex();
        ref var top = ref Top;
        if (top.Node is not null && top.IsLeaf)
        {
            return top.Node;
        }
        var n = _stack[0].Node ?? _bucket.NodeFor(_stack[0].Page.OpenedAs ?? 0, null);
        for (var i = 0; i < _depth - 1; i++)
        {
            n = n.ChildAt(_stack[i].Index);
        }
        if (!n.IsLeaf)
        {
            throw new InvalidOperationException("expected leaf node");
        }
        return n;
    }

    private ref ElemRef Top => ref _stack[_depth - 1];

    /// <summary>Writes the position <see cref="Next"/> reached on the leaf page back into the stack, before anything else reads it.</summary>
    private void SyncLeafIndex()
    {
        if (_leafLast >= 0)
        {
            Top.Index = _leafIndex;
            _leafLast = -1;
        }
    }

    private void Push(ulong pgid, int index, bool fromEnd)
    {
        if (_depth >= BoltTransaction.MaxTreeDepth)
        {
            ThrowTooDeep(pgid);
        }
        _bucket.PageNode(pgid, out var page, out var node);
        if (node is null && (page.Flags & (PageLayout.BranchPageFlag | PageLayout.LeafPageFlag)) == 0)
        {
            ThrowInvalidType(page);
        }
        if (_depth == _stack.Length)
        {
            Array.Resize(ref _stack, _stack.Length * 2);
        }
        ref var e = ref _stack[_depth++];
        e.Page = page;
        e.Node = node;
        e.Index = fromEnd ? e.Count - 1 : index;
        if (!e.IsLeaf && e.Count == 0)
        {
            ThrowEmptyBranch(page, node);
        }
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowTooDeep(ulong pgid) =>
        throw BoltErrors.Corrupt(_bucket.Tx.Database.Path, pgid, $"tree deeper than {BoltTransaction.MaxTreeDepth} levels (a cycle?)");

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowInvalidType(Page page) => throw page.Corrupt($"invalid page type: {page.TypeName}");

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowEmptyBranch(Page page, Node? node)
    {
        if (node is null)
        {
            throw page.Corrupt("branch page with no elements");
        }
        throw new InvalidOperationException("branch node with no elements");
    }

    private ulong ChildOf(in ElemRef e) => e.Node is not null ? e.Node.Inodes[e.Index].Pgid : e.Page.BranchChild(e.Index);

    private void DescendFirst()
    {
        while (true)
        {
            ref var e = ref Top;
            if (e.IsLeaf)
            {
                return;
            }
            Push(ChildOf(e), 0, fromEnd: false);
        }
    }

    private void DescendLast()
    {
        while (true)
        {
            ref var e = ref Top;
            if (e.IsLeaf)
            {
                return;
            }
            Push(ChildOf(e), 0, fromEnd: true);
        }
    }

    private bool StepNext()
    {
        while (true)
        {
            int i;
            for (i = _depth - 1; i >= 0; i--)
            {
                ref var elem = ref _stack[i];
                if (elem.Index < elem.Count - 1)
                {
                    elem.Index++;
                    break;
                }
            }
            if (i == -1)
            {
                // Stay on the last element, as bbolt does, but report the end.
                return Clear();
            }
            _depth = i + 1;
            DescendFirst();
            // Skip empty pages (bbolt issue 450).
            if (Top.Count == 0)
            {
                continue;
            }
            return LoadCurrent();
        }
    }

    private void Search(ReadOnlySpan<byte> key, ulong pgid)
    {
        Push(pgid, 0, fromEnd: false);
        while (true)
        {
            ref var e = ref Top;
            if (e.IsLeaf)
            {
                e.Index = e.Node is not null ? e.Node.Inodes.LowerBound(key, out _) : KeySearch.LowerBound(new LeafKeys(e.Page), key, out _);
                return;
            }
            int index;
            bool exact;
            if (e.Node is not null)
            {
                index = e.Node.Inodes.LowerBound(key, out exact);
            }
            else
            {
                index = KeySearch.LowerBound(new BranchKeys(e.Page), key, out exact);
            }
            if (!exact && index > 0)
            {
                index--;
            }
            e.Index = index;
            Push(ChildOf(e), 0, fromEnd: false);
        }
    }

    private bool LoadCurrent()
    {
        _leafLast = -1;
        if (_depth == 0)
        {
            return Clear();
        }
        ref var top = ref Top;
        if (top.Count == 0 || top.Index < 0 || top.Index >= top.Count)
        {
            return Clear();
        }
        if (top.Node is not null)
        {
            ref var inode = ref top.Node.Inodes[top.Index];
            _key = inode.Key;
            _keyLength = inode.KeyLength;
            _value = inode.Value;
            _valueLength = inode.ValueLength;
            _flags = inode.Flags;
        }
        else
        {
            _flags = top.Page.LeafEntryWithFlags(top.Index, out _key, out _keyLength, out _value, out _valueLength);
            _leaf = top.Page;
            _leafIndex = top.Index;
            _leafLast = top.Count - 1;
        }
        _valid = true;
        return true;
    }

    private bool Clear()
    {
        _leafLast = -1;
        _valid = false;
        _key = null;
        _keyLength = 0;
        _value = null;
        _valueLength = 0;
        _flags = 0;
        return false;
    }
}
