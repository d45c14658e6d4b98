using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Cairn.Storage.Bolt.Tree;

/// <summary>
/// bytes.Compare: unsigned lexicographic order. Compares eight bytes at a time as big-endian
/// words, which for the short keys a B+tree search compares (etcd's are 17 bytes) beats the
/// general vectorized span compare.
/// </summary>
internal static class KeyOrder
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Compare(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        var n = Math.Min(a.Length, b.Length);
        ref var ra = ref MemoryMarshal.GetReference(a);
        ref var rb = ref MemoryMarshal.GetReference(b);
        var i = 0;
        for (; i + 8 <= n; i += 8)
        {
            var x = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref ra, i));
            var y = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref rb, i));
            if (x != y)
            {
                return BinaryPrimitives.ReverseEndianness(x) < BinaryPrimitives.ReverseEndianness(y) ? -1 : 1;
            }
        }
        for (; i < n; i++)
        {
            var d = Unsafe.Add(ref ra, i) - Unsafe.Add(ref rb, i);
            if (d != 0)
            {
                return d;
            }
        }
        return a.Length - b.Length;
    }
}
