using System.Diagnostics.CodeAnalysis;
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

    private const ulong InlineMarker = ulong.MaxValue;
    private readonly ulong _openedAs;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Page(byte* ptr, int extent, string file, ulong? openedAs)
    {
        Ptr = ptr;
        Extent = extent;
        File = file;
        _openedAs = openedAs ?? InlineMarker;
        if (extent < PageLayout.HeaderSize)
        {
            ThrowTooSmall();
        }
        if ((Flags & (PageLayout.BranchPageFlag | PageLayout.LeafPageFlag)) != 0
            && PageLayout.HeaderSize + ((long)Count * PageLayout.LeafElementSize) > extent)
        {
            ThrowTooManyElements();
        }
    }

    /// <summary>The page id this view was opened as, or null for an inline bucket page.</summary>
    public ulong? OpenedAs => _openedAs == InlineMarker ? null : _openedAs;

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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ReadOnlySpan<byte> LeafKey(int index)
    {
        LeafEntry(index, out var key, out var keyLength, out _, out _);
        return new ReadOnlySpan<byte>(key, keyLength);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ReadOnlySpan<byte> LeafValue(int index)
    {
        LeafEntry(index, out _, out _, out var value, out var valueLength);
        return new ReadOnlySpan<byte>(value, valueLength);
    }

    /// <summary>The key and value of leaf element <paramref name="index"/>, bounds-checked.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void LeafEntry(int index, out byte* key, out int keyLength, out byte* value, out int valueLength) =>
        ReadLeafElement(LeafElement(index), index, out key, out keyLength, out value, out valueLength);

    /// <summary><see cref="LeafEntry"/> and the element's flags in one lookup.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint LeafEntryWithFlags(int index, out byte* key, out int keyLength, out byte* value, out int valueLength)
    {
        var element = LeafElement(index);
        ReadLeafElement(element, index, out key, out keyLength, out value, out valueLength);
        return Unsafe.ReadUnaligned<uint>(element);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void ReadLeafElement(byte* element, int index, out byte* key, out int keyLength, out byte* value, out int valueLength)
    {
        var pos = Unsafe.ReadUnaligned<uint>(element + 4);
        var ksize = Unsafe.ReadUnaligned<uint>(element + 8);
        var vsize = Unsafe.ReadUnaligned<uint>(element + 12);
        var start = (ulong)(element - Ptr) + pos;
        if (start + ksize + vsize > (ulong)Extent)
        {
            ThrowLeafOutOfPage(index, pos, ksize, vsize);
        }
        key = Ptr + start;
        keyLength = (int)ksize;
        value = key + ksize;
        valueLength = (int)vsize;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ReadOnlySpan<byte> BranchKey(int index)
    {
        BranchEntry(index, out var key, out var keyLength);
        return new ReadOnlySpan<byte>(key, keyLength);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void BranchEntry(int index, out byte* key, out int keyLength)
    {
        var element = BranchElement(index);
        var pos = Unsafe.ReadUnaligned<uint>(element);
        var ksize = Unsafe.ReadUnaligned<uint>(element + 4);
        var start = (ulong)(element - Ptr) + pos;
        if (start + ksize > (ulong)Extent)
        {
            ThrowBranchOutOfPage(index, pos, ksize);
        }
        key = Ptr + start;
        keyLength = (int)ksize;
    }

    public ulong BranchChild(int index) => Unsafe.ReadUnaligned<ulong>(BranchElement(index) + 8);

    public BoltCorruptionException Corrupt(string problem) =>
        OpenedAs is { } id
            ? BoltErrors.Corrupt(File, id, problem)
            : BoltErrors.Corrupt(File, null, "inline bucket page: " + problem);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private byte* LeafElement(int index)
    {
        if ((uint)index >= (uint)Count)
        {
            ThrowNoSuchElement("leaf", index);
        }
        return Ptr + PageLayout.HeaderSize + (index * PageLayout.LeafElementSize);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private byte* BranchElement(int index)
    {
        if ((uint)index >= (uint)Count)
        {
            ThrowNoSuchElement("branch", index);
        }
        return Ptr + PageLayout.HeaderSize + (index * PageLayout.BranchElementSize);
    }

    // Error paths live out of line so the accessors above stay small enough to inline.
    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowTooSmall() => throw Corrupt($"page extent of {Extent} bytes is smaller than a page header");

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowTooManyElements() => throw Corrupt($"{Count} elements do not fit in {Extent} bytes");

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowNoSuchElement(string kind, int index) => throw Corrupt($"{kind} element {index} requested of {Count}");

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowLeafOutOfPage(int index, uint pos, uint ksize, uint vsize) =>
        throw Corrupt($"leaf element {index} (pos {pos}, key {ksize} bytes, value {vsize} bytes) runs past the page end");

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowBranchOutOfPage(int index, uint pos, uint ksize) =>
        throw Corrupt($"branch element {index} (pos {pos}, key {ksize} bytes) runs past the page end");

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
