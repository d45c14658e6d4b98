using Cairn.Storage.Bolt.Format;

namespace Cairn.Storage.Bolt.Tree;

/// <summary>Sorted keys addressable by index: a page's elements or a node's inodes.</summary>
internal interface ISortedKeys
{
    int Count { get; }

    ReadOnlySpan<byte> KeyAt(int index);
}

/// <summary>The one binary search the tree uses (bbolt's sort.Search over bytes.Compare).</summary>
internal static class KeySearch
{
    /// <summary>Index of the first key not less than <paramref name="key"/>; <paramref name="exact"/> when it is equal.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static int LowerBound<TKeys>(in TKeys keys, ReadOnlySpan<byte> key, out bool exact)
        where TKeys : struct, ISortedKeys
    {
        int lo = 0, hi = keys.Count;
        exact = false;
        while (lo < hi)
        {
            var mid = (int)((uint)(lo + hi) >> 1);
            var c = KeyOrder.Compare(keys.KeyAt(mid), key);
            if (c < 0)
            {
                lo = mid + 1;
            }
            else
            {
                exact |= c == 0;
                hi = mid;
            }
        }
        return lo;
    }
}

internal readonly struct LeafKeys(Page page) : ISortedKeys
{
    public int Count => page.Count;

    public ReadOnlySpan<byte> KeyAt(int index) => page.LeafKey(index);
}

internal readonly struct BranchKeys(Page page) : ISortedKeys
{
    public int Count => page.Count;

    public ReadOnlySpan<byte> KeyAt(int index) => page.BranchKey(index);
}

internal readonly struct InodeKeys(Inode[] items, int count) : ISortedKeys
{
    public int Count => count;

    public ReadOnlySpan<byte> KeyAt(int index) => items[index].KeySpan;
}
