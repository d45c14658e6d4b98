using System.Runtime.CompilerServices;

namespace Cairn.Storage.Bolt.Format;

/// <summary>
/// A view of one page (with its overflow pages) in the map, in a dirty buffer, or inline in a
/// bucket value. Every element access is checked against <see cref="Extent"/>, so a corrupt
/// element header raises an error naming the file and page instead of reading outside the page.
/// </summary>
internal readonly unsafe struct Page
{
    public readonly byte* Ptr;

    /// <summary>Bytes addressable from <see cref="Ptr"/>: (overflow+1)*pageSize, or the inline value length.</summary>
    public readonly int Extent;

    /// <summary>The database file, for error messages.</summary>
    public readonly string File;

    /// <summary>The page id this view was opened as, or null for an inline bucket page.</summary>
    public readonly ulong? OpenedAs;

    public Page(byte* ptr, int extent, string file, ulong? openedAs)
    {
        Ptr = ptr;
        Extent = extent;
        File = file;
        OpenedAs = openedAs;
        if (extent < PageLayout.HeaderSize)
        {
            throw Corrupt($"page extent of {extent} bytes is smaller than a page header");
        }
        var elementBytes = (long)Count * PageLayout.LeafElementSize;
        if ((Flags & (PageLayout.BranchPageFlag | PageLayout.LeafPageFlag)) != 0 && PageLayout.HeaderSize + elementBytes > extent)
        {
            throw Corrupt($"{Count} elements do not fit in {extent} bytes");
        }
    }

    /// <summary>A page over a pinned array (pinned object heap): the array must stay referenced while the page is used.</summary>
    public static Page OverPinned(byte[] pinned, string file, ulong? openedAs) =>
        new((byte*)Unsafe.AsPointer(ref pinned[0]), pinned.Length, file, openedAs);

    public ulong Id => Unsafe.ReadUnaligned<ulong>(Ptr);

    public ushort Flags => Unsafe.ReadUnaligned<ushort>(Ptr + 8);

    public int Count => Unsafe.ReadUnaligned<ushort>(Ptr + 10);

    public uint Overflow => Unsafe.ReadUnaligned<uint>(Ptr + 12);

    public bool IsLeaf => (Flags & PageLayout.LeafPageFlag) != 0;

    public bool IsBranch => (Flags & PageLayout.BranchPageFlag) != 0;

    public string TypeName => PageLayout.TypeName(Flags);

    public uint LeafFlags(int index) => Unsafe.ReadUnaligned<uint>(LeafElement(index));

    public bool IsBucketElement(int index) => (LeafFlags(index) & PageLayout.BucketLeafFlag) != 0;

    public ReadOnlySpan<byte> LeafKey(int index)
    {
        LeafEntry(index, out var key, out var keyLength, out _, out _);
        return new ReadOnlySpan<byte>(key, keyLength);
    }

    public ReadOnlySpan<byte> LeafValue(int index)
    {
        LeafEntry(index, out _, out _, out var value, out var valueLength);
        return new ReadOnlySpan<byte>(value, valueLength);
    }

    /// <summary>The key and value of leaf element <paramref name="index"/>, bounds-checked.</summary>
    public void LeafEntry(int index, out byte* key, out int keyLength, out byte* value, out int valueLength)
    {
        var element = LeafElement(index);
        var pos = Unsafe.ReadUnaligned<uint>(element + 4);
        var ksize = Unsafe.ReadUnaligned<uint>(element + 8);
        var vsize = Unsafe.ReadUnaligned<uint>(element + 12);
        var start = (ulong)(element - Ptr) + pos;
        if (start + ksize + vsize > (ulong)Extent)
        {
            throw Corrupt($"leaf element {index} (pos {pos}, key {ksize} bytes, value {vsize} bytes) runs past the page end");
        }
        key = Ptr + start;
        keyLength = (int)ksize;
        value = key + ksize;
        valueLength = (int)vsize;
    }

    public ReadOnlySpan<byte> BranchKey(int index)
    {
        BranchEntry(index, out var key, out var keyLength);
        return new ReadOnlySpan<byte>(key, keyLength);
    }

    public void BranchEntry(int index, out byte* key, out int keyLength)
    {
        var element = BranchElement(index);
        var pos = Unsafe.ReadUnaligned<uint>(element);
        var ksize = Unsafe.ReadUnaligned<uint>(element + 4);
        var start = (ulong)(element - Ptr) + pos;
        if (start + ksize > (ulong)Extent)
        {
            throw Corrupt($"branch element {index} (pos {pos}, key {ksize} bytes) runs past the page end");
        }
        key = Ptr + start;
        keyLength = (int)ksize;
    }

    public ulong BranchChild(int index) => Unsafe.ReadUnaligned<ulong>(BranchElement(index) + 8);

    public BoltCorruptionException Corrupt(string problem) =>
        OpenedAs is { } id
            ? BoltErrors.Corrupt(File, id, problem)
            : BoltErrors.Corrupt(File, null, "inline bucket page: " + problem);

    private byte* LeafElement(int index)
    {
        if ((uint)index >= (uint)Count)
        {
            throw Corrupt($"leaf element {index} requested of {Count}");
        }
        return Ptr + PageLayout.HeaderSize + (index * PageLayout.LeafElementSize);
    }

    private byte* BranchElement(int index)
    {
        if ((uint)index >= (uint)Count)
        {
            throw Corrupt($"branch element {index} requested of {Count}");
        }
        return Ptr + PageLayout.HeaderSize + (index * PageLayout.BranchElementSize);
    }

    /// <summary>Writes a page header.</summary>
    public static void WriteHeader(Span<byte> p, ulong id, ushort flags, int count, uint overflow)
    {
        fixed (byte* b = p)
        {
            WriteHeader(b, id, flags, count, overflow);
        }
    }

    /// <summary>Writes a page header.</summary>
    public static void WriteHeader(byte* p, ulong id, ushort flags, int count, uint overflow)
    {
        Unsafe.WriteUnaligned(p, id);
        Unsafe.WriteUnaligned(p + 8, flags);
        Unsafe.WriteUnaligned(p + 10, (ushort)count);
        Unsafe.WriteUnaligned(p + 12, overflow);
    }
}
