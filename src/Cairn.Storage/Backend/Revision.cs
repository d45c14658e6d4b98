using System.Buffers.Binary;

namespace Cairn.Storage.Backend;

/// <summary>
/// An MVCC revision (etcd's mvcc/revision.go): <see cref="Main"/> is the revision of an atomic
/// change set, <see cref="Sub"/> the index of a change within it. Stored as 17 bytes: main
/// big-endian, '_', sub big-endian; an 18th byte 't' marks a tombstone (a deletion).
/// </summary>
public readonly record struct Revision(long Main, long Sub = 0) : IComparable<Revision>
{
    public const int Size = 17;
    public const int TombstoneSize = 18;
    public const byte TombstoneMark = (byte)'t';

    public int CompareTo(Revision other) => Main != other.Main ? Main.CompareTo(other.Main) : Sub.CompareTo(other.Sub);

    public static bool operator <(Revision a, Revision b) => a.CompareTo(b) < 0;

    public static bool operator >(Revision a, Revision b) => a.CompareTo(b) > 0;

    public static bool operator <=(Revision a, Revision b) => a.CompareTo(b) <= 0;

    public static bool operator >=(Revision a, Revision b) => a.CompareTo(b) >= 0;

    /// <summary>Writes the 17-byte form (and the tombstone mark when asked) into <paramref name="destination"/>; returns the length.</summary>
    public int WriteTo(Span<byte> destination, bool tombstone = false)
    {
        BinaryPrimitives.WriteInt64BigEndian(destination, Main);
        destination[8] = (byte)'_';
        BinaryPrimitives.WriteInt64BigEndian(destination[9..], Sub);
        if (!tombstone)
        {
            return Size;
        }
        destination[17] = TombstoneMark;
        return TombstoneSize;
    }

    public byte[] ToBytes(bool tombstone = false)
    {
        var bytes = new byte[tombstone ? TombstoneSize : Size];
        WriteTo(bytes, tombstone);
        return bytes;
    }

    /// <summary>Reads a revision key of 17 bytes (or 18 with the tombstone mark).</summary>
    public static Revision Parse(ReadOnlySpan<byte> bytes, out bool tombstone)
    {
        if (!TryParse(bytes, out var revision, out tombstone))
        {
            throw new FormatException($"not a revision key: {Convert.ToHexString(bytes)}");
        }
        return revision;
    }

    public static bool TryParse(ReadOnlySpan<byte> bytes, out Revision revision, out bool tombstone)
    {
        tombstone = bytes.Length == TombstoneSize && bytes[17] == TombstoneMark;
        if ((bytes.Length != Size && !tombstone) || bytes[8] != (byte)'_')
        {
            revision = default;
            return false;
        }
        revision = new Revision(BinaryPrimitives.ReadInt64BigEndian(bytes), BinaryPrimitives.ReadInt64BigEndian(bytes[9..]));
        return true;
    }

    public override string ToString() => $"{Main}_{Sub}";
}
