using System.Buffers.Binary;
using Cairn.Storage.Bolt;

namespace Cairn.Storage.Tests.Bolt;

/// <summary>
/// Check() on files damaged where reading does not notice, only a consistency check: the
/// freelist and the tree disagree, or keys are out of order. Debian's bbolt 1.3.6 (boltcheck)
/// checks the same files: where it checks the same thing, its tx.Check reports the same list of
/// messages as Cairn's; key order it does not check (newer bbolt does), and it reports nothing.
/// </summary>
public sealed class BoltCheckMatchesBboltTests : IClassFixture<BoltcheckFixture>, IDisposable
{
    private const int PageSize = 4096;
    private const int PageHeaderSize = 16;
    private const int ElementSize = 16;
    private readonly BoltcheckFixture _go;
    private readonly TempDirectory _dir = new();
    private readonly string _path;

    public BoltCheckMatchesBboltTests(BoltcheckFixture go)
    {
        _go = go;
        _path = _dir.File("db");
        using var db = BoltDatabase.Open(_path, new BoltOptions { NoSync = true });
        db.Update(tx =>
        {
            var b = tx.CreateBucket("b"u8);
            for (var i = 0; i < 2000; i++)
            {
                b.Put(Key(i), new byte[100]);
            }
        });
        // A second commit frees the leaf and branch it rewrites and the first freelist page, so
        // the freelist page it writes lists some pages.
        db.Update(tx => tx.Bucket("b"u8)!.Put(Key(0), new byte[100]));
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task A_page_listed_free_twice_is_reported_already_freed_as_bbolt_reports_it()
    {
        var free = FreelistIds();
        Assert.NotEmpty(free);
        AppendToFreelist(free[0]);
        await AssertCheckReportsAsBboltDoes([$"page {free[0]}: already freed"]);
    }

    [Fact]
    public async Task A_page_of_the_tree_listed_free_is_reported_reachable_freed_as_bbolt_reports_it()
    {
        var leaf = Child(BucketRoot(), 1);
        AppendToFreelist(leaf);
        await AssertCheckReportsAsBboltDoes([$"page {leaf}: reachable freed"]);
    }

    [Fact]
    public async Task Two_keys_swapped_in_a_leaf_are_reported_out_of_order()
    {
        var leaf = Child(BucketRoot(), 1);
        var (third, fourth) = (LeafKey(leaf, 3), LeafKey(leaf, 4));
        WriteLeafKey(leaf, 3, fourth);
        WriteLeafKey(leaf, 4, third);
        await AssertCheckReportsAsBboltDoes(
            [$"page {leaf}: key 4 ({Convert.ToHexString(third)}) is not after key 3 ({Convert.ToHexString(fourth)})"],
            bboltChecksIt: false);
    }

    [Fact]
    public async Task A_first_key_below_the_key_its_parent_has_for_it_is_reported()
    {
        var root = BucketRoot();
        var leaf = Child(root, 1);
        var parentKey = BranchKey(root, 1);
        WriteLeafKey(leaf, 0, Key(0)); // the first leaf's first key, below every key of this one
        await AssertCheckReportsAsBboltDoes(
            [$"page {leaf}: key 0 ({Convert.ToHexString(Key(0))}) is below its parent's key ({Convert.ToHexString(parentKey)})"],
            bboltChecksIt: false);
    }

    [Fact]
    public async Task A_last_key_not_below_the_next_key_of_its_parent_is_reported()
    {
        var root = BucketRoot();
        var leaf = Child(root, 1);
        var nextParentKey = BranchKey(root, 2);
        var last = ElementCount(leaf) - 1;
        var beyond = Key(1_000_000);
        WriteLeafKey(leaf, last, beyond);
        await AssertCheckReportsAsBboltDoes(
            [$"page {leaf}: key {last} ({Convert.ToHexString(beyond)}) is not below the next parent key ({Convert.ToHexString(nextParentKey)})"],
            bboltChecksIt: false);
    }

    private static byte[] Key(int i)
    {
        var key = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(key, i);
        return key;
    }

    // Cairn finds the free pages three ways (a writer's freelist, a read-only database's loaded
    // one, a reader of a writable database reading the freelist page): each must say the same.
    private async Task AssertCheckReportsAsBboltDoes(string[] expected, bool bboltChecksIt = true)
    {
        var (code, dump, error) = await _go.Program.ExecAsync(["dump", _path]);
        Assert.True(code == 0, $"boltcheck dump failed: {error}");
        var bbolt = dump.Split('\n').Where(l => l.StartsWith("check ", StringComparison.Ordinal)).Select(l => l["check ".Length..]).ToList();
        Assert.Equal(bboltChecksIt ? expected : [], bbolt);

        using (var readOnly = BoltDatabase.Open(_path, new BoltOptions { ReadOnly = true }))
        {
            Assert.Equal(expected, readOnly.Check());
        }
        using var writable = BoltDatabase.Open(_path, new BoltOptions { NoSync = true });
        Assert.Equal(expected, writable.Check());
        Assert.Equal(expected, writable.View(tx => tx.Check()));
    }

    private ulong BucketRoot()
    {
        using var db = BoltDatabase.Open(_path, new BoltOptions { ReadOnly = true });
        var root = db.View(tx => tx.Bucket("b"u8)!.Root);
        Assert.Equal(0x01, BitConverter.ToUInt16(ReadPage(root), 8)); // a branch page, so leaves have parent keys
        return root;
    }

    private ulong[] FreelistIds()
    {
        var page = ReadPage(FreelistPage());
        var count = BitConverter.ToUInt16(page, 10);
        return Enumerable.Range(0, count).Select(i => BitConverter.ToUInt64(page, PageHeaderSize + (i * 8))).ToArray();
    }

    private void AppendToFreelist(ulong id)
    {
        var freelist = FreelistPage();
        var count = FreelistIds().Length;
        Patch((long)freelist * PageSize + PageHeaderSize + (count * 8), BitConverter.GetBytes(id));
        Patch((long)freelist * PageSize + 10, BitConverter.GetBytes((ushort)(count + 1)));
    }

    private ulong FreelistPage()
    {
        using var db = BoltDatabase.Open(_path, new BoltOptions { ReadOnly = true });
        var meta = db.View(tx => tx.MetaSnapshot);
        Assert.True(meta.HasSyncedFreelist);
        return meta.Freelist;
    }

    private int ElementCount(ulong pgid) => BitConverter.ToUInt16(ReadPage(pgid), 10);

    // Branch elements are (pos, ksize, pgid); leaf elements (flags, pos, ksize, vsize). pos counts from the element.
    private ulong Child(ulong branch, int index) =>
        BitConverter.ToUInt64(ReadPage(branch), PageHeaderSize + (index * ElementSize) + 8);

    private byte[] BranchKey(ulong branch, int index) => ElementKey(branch, index, posAt: 0);

    private byte[] LeafKey(ulong leaf, int index) => ElementKey(leaf, index, posAt: 4);

    private byte[] ElementKey(ulong pgid, int index, int posAt)
    {
        var page = ReadPage(pgid);
        var element = PageHeaderSize + (index * ElementSize);
        var pos = BitConverter.ToInt32(page, element + posAt);
        var size = BitConverter.ToInt32(page, element + posAt + 4);
        return page.AsSpan(element + pos, size).ToArray();
    }

    private void WriteLeafKey(ulong leaf, int index, byte[] key)
    {
        var element = PageHeaderSize + (index * ElementSize);
        var page = ReadPage(leaf);
        Assert.Equal(key.Length, BitConverter.ToInt32(page, element + 8));
        Patch((long)leaf * PageSize + element + BitConverter.ToInt32(page, element + 4), key);
    }

    private byte[] ReadPage(ulong pgid)
    {
        using var f = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var page = new byte[PageSize];
        f.Position = (long)pgid * PageSize;
        f.ReadExactly(page);
        return page;
    }

    private void Patch(long offset, ReadOnlySpan<byte> bytes)
    {
        using var f = new FileStream(_path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
        f.Position = offset;
        f.Write(bytes);
    }
}
