using Cairn.Storage.Bolt;
using Cairn.Storage.Bolt.Format;

namespace Cairn.Storage.Tests.Bolt;

/// <summary>The meta record (FNV-64a checksum, validation) and page element bounds.</summary>
public sealed class MetaAndPageTests
{
    [Fact]
    public void Fnv64aMatchesTheReferenceVectors()
    {
        Assert.Equal(0xcbf29ce484222325UL, Fnv64a.Hash([]));
        Assert.Equal(0xaf63dc4c8601ec8cUL, Fnv64a.Hash("a"u8));
        Assert.Equal(0x85944171f73967e8UL, Fnv64a.Hash("foobar"u8));
    }

    [Fact]
    public void MetaValidationChecksMagicVersionAndChecksum()
    {
        var meta = new Meta { Magic = PageLayout.Magic, Version = 2, PageSize = 4096, Root = 3, Freelist = 2, Pgid = 4, TxId = 9 };
        meta.Checksum = meta.ComputeChecksum();
        Assert.Null(meta.Validate());
        Assert.Equal(BoltErrorCode.Checksum, (meta with { TxId = 10 }).Validate()!.Value.Code);
        Assert.Null((meta with { Checksum = 0 }).Validate()); // bbolt accepts a zero checksum
        Assert.Equal(BoltErrorCode.Invalid, (meta with { Magic = 1 }).Validate()!.Value.Code);
        Assert.Equal(BoltErrorCode.VersionMismatch, (meta with { Version = 1 }).Validate()!.Value.Code);

        var buffer = new byte[64];
        meta.Write(buffer);
        Assert.Equal(meta, Meta.Read(buffer));
        Assert.Equal(9ul, BitConverter.ToUInt64(buffer, 48));
        Assert.Equal(meta.Checksum, Fnv64a.Hash(buffer.AsSpan(0, 56)));
    }

    [Fact]
    public void PageElementsAreBoundsChecked()
    {
        var buffer = GC.AllocateArray<byte>(64, pinned: true);
        {
            Page.WriteHeader(buffer, 7, PageLayout.LeafPageFlag, 1, 0);
            // element 0: flags 0, pos 16, ksize 8, vsize 8 -> ends at 16 + 16 + 16 = 48
            BitConverter.TryWriteBytes(buffer.AsSpan(20), 16u);
            BitConverter.TryWriteBytes(buffer.AsSpan(24), 8u);
            BitConverter.TryWriteBytes(buffer.AsSpan(28), 8u);
            var page = Page.OverPinned(buffer, "f.db", 7);
            Assert.Equal(8, page.LeafKey(0).Length);
            BitConverter.TryWriteBytes(buffer.AsSpan(28), 100u);
            var e = Assert.Throws<BoltCorruptionException>(() => page.LeafValue(0));
            Assert.Equal(7ul, e.PageId);
            Assert.Throws<BoltCorruptionException>(() => page.LeafKey(1));
            Page.WriteHeader(buffer, 7, PageLayout.LeafPageFlag, 9, 0);
            Assert.Throws<BoltCorruptionException>(() => Page.OverPinned(buffer, "f.db", 7));
        }
    }
}
