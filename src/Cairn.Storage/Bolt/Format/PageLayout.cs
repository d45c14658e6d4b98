namespace Cairn.Storage.Bolt.Format;

/// <summary>
/// bbolt's on-disk constants (page.go, bucket.go, db.go). Every page starts with a 16-byte header
/// (id u64, flags u16, count u16, overflow u32); branch and leaf element headers are 16 bytes each;
/// a bucket value starts with a 16-byte header (root u64, sequence u64). All little-endian.
/// </summary>
internal static class PageLayout
{
    public const int HeaderSize = 16;
    public const int BranchElementSize = 16;
    public const int LeafElementSize = 16;
    public const int BucketHeaderSize = 16;
    public const int MetaSize = 64;

    public const ushort BranchPageFlag = 0x01;
    public const ushort LeafPageFlag = 0x02;
    public const ushort MetaPageFlag = 0x04;
    public const ushort FreelistPageFlag = 0x10;

    /// <summary>Leaf element flag marking a nested bucket.</summary>
    public const uint BucketLeafFlag = 0x01;

    public const int MinKeysPerPage = 2;

    /// <summary>The meta's freelist field when the freelist is not written (NoFreelistSync).</summary>
    public const ulong NoFreelist = ulong.MaxValue;

    public const uint Magic = 0xED0CDAED;
    public const uint Version = 2;

    public static string TypeName(ushort flags) =>
        (flags & BranchPageFlag) != 0 ? "branch"
        : (flags & LeafPageFlag) != 0 ? "leaf"
        : (flags & MetaPageFlag) != 0 ? "meta"
        : (flags & FreelistPageFlag) != 0 ? "freelist"
        : $"unknown<{flags:x2}>";
}
