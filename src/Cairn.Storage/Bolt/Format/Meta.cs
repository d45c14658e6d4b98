using System.Runtime.CompilerServices;

namespace Cairn.Storage.Bolt.Format;

/// <summary>
/// The meta record that follows the page header on pages 0 and 1 (db.go's meta): magic, version,
/// page size, flags, root bucket (root page, sequence), freelist page, high water mark (pgid),
/// transaction id and an FNV-64a checksum of the 56 bytes before it.
/// </summary>
internal struct Meta
{
    public uint Magic;
    public uint Version;
    public uint PageSize;
    public uint Flags;
    public ulong Root;
    public ulong RootSequence;
    public ulong Freelist;
    public ulong Pgid;
    public ulong TxId;
    public ulong Checksum;

    private const int ChecksummedBytes = 56;

    public readonly bool HasSyncedFreelist => Freelist != PageLayout.NoFreelist;

    public static unsafe Meta Read(byte* meta) => new()
    {
        Magic = Unsafe.ReadUnaligned<uint>(meta),
        Version = Unsafe.ReadUnaligned<uint>(meta + 4),
        PageSize = Unsafe.ReadUnaligned<uint>(meta + 8),
        Flags = Unsafe.ReadUnaligned<uint>(meta + 12),
        Root = Unsafe.ReadUnaligned<ulong>(meta + 16),
        RootSequence = Unsafe.ReadUnaligned<ulong>(meta + 24),
        Freelist = Unsafe.ReadUnaligned<ulong>(meta + 32),
        Pgid = Unsafe.ReadUnaligned<ulong>(meta + 40),
        TxId = Unsafe.ReadUnaligned<ulong>(meta + 48),
        Checksum = Unsafe.ReadUnaligned<ulong>(meta + 56),
    };

    public static unsafe Meta Read(ReadOnlySpan<byte> meta)
    {
        if (meta.Length < PageLayout.MetaSize)
        {
            throw new ArgumentException("a meta record is 64 bytes", nameof(meta));
        }
        fixed (byte* p = meta)
        {
            return Read(p);
        }
    }

    public readonly unsafe void Write(Span<byte> meta)
    {
        if (meta.Length < PageLayout.MetaSize)
        {
            throw new ArgumentException("a meta record is 64 bytes", nameof(meta));
        }
        fixed (byte* p = meta)
        {
            Write(p);
        }
    }

    public readonly unsafe void Write(byte* meta)
    {
        Unsafe.WriteUnaligned(meta, Magic);
        Unsafe.WriteUnaligned(meta + 4, Version);
        Unsafe.WriteUnaligned(meta + 8, PageSize);
        Unsafe.WriteUnaligned(meta + 12, Flags);
        Unsafe.WriteUnaligned(meta + 16, Root);
        Unsafe.WriteUnaligned(meta + 24, RootSequence);
        Unsafe.WriteUnaligned(meta + 32, Freelist);
        Unsafe.WriteUnaligned(meta + 40, Pgid);
        Unsafe.WriteUnaligned(meta + 48, TxId);
        Unsafe.WriteUnaligned(meta + 56, Checksum);
    }

    /// <summary>FNV-64a over the record up to (not including) the checksum, as bbolt's meta.sum64.</summary>
    public readonly unsafe ulong ComputeChecksum()
    {
        var buffer = stackalloc byte[PageLayout.MetaSize];
        Write(buffer);
        return Fnv64a.Hash(new ReadOnlySpan<byte>(buffer, ChecksummedBytes));
    }

    /// <summary>
    /// bbolt's meta.validate: magic, version, then checksum (a zero checksum is accepted, as bbolt
    /// does). Returns null when valid, otherwise the error code and a description.
    /// </summary>
    public readonly (BoltErrorCode Code, string Problem)? Validate()
    {
        if (Magic != PageLayout.Magic)
        {
            return (BoltErrorCode.Invalid, $"invalid database (magic {Magic:x8}, expected {PageLayout.Magic:x8})");
        }
        if (Version != PageLayout.Version)
        {
            return (BoltErrorCode.VersionMismatch, $"version mismatch (version {Version}, expected {PageLayout.Version})");
        }
        if (Checksum != 0 && Checksum != ComputeChecksum())
        {
            return (BoltErrorCode.Checksum, $"checksum error (stored {Checksum:x16}, computed {ComputeChecksum():x16})");
        }
        return null;
    }
}

/// <summary>64-bit FNV-1a, the hash bbolt uses for its meta checksum (Go's hash/fnv New64a).</summary>
internal static class Fnv64a
{
    private const ulong OffsetBasis = 14695981039346656037;
    private const ulong Prime = 1099511628211;

    public static ulong Hash(ReadOnlySpan<byte> data)
    {
        var hash = OffsetBasis;
        foreach (var b in data)
        {
            hash ^= b;
            hash *= Prime;
        }
        return hash;
    }
}
