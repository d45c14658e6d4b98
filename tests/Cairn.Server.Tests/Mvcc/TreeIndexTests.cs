using System.Text;
using Cairn.Server.Mvcc;

namespace Cairn.Server.Tests.Mvcc;

public class TreeIndexTests
{
    private static byte[] K(string s) => Encoding.UTF8.GetBytes(s);

    private static KeyRange R(string key, string? end = null) => end switch
    {
        null => KeyRange.Single(K(key)),
        "\0" => KeyRange.From(K(key)),
        _ => KeyRange.Between(K(key), K(end)),
    };

    /// <summary>a: put 2, put 4, deleted 6; b: put 3, put 5.1; c: put 5.0.</summary>
    private static TreeIndex Sample()
    {
        var index = new TreeIndex();
        index.Put(K("a"), new Revision(2, 0));
        index.Put(K("b"), new Revision(3, 0));
        index.Put(K("a"), new Revision(4, 0));
        index.Put(K("c"), new Revision(5, 0));
        index.Put(K("b"), new Revision(5, 1));
        Assert.True(index.Tombstone(K("a"), new Revision(6, 0)));
        return index;
    }

    private static (int Count, string Keys) Range(TreeIndex index, KeyRange range, long at, int limit)
    {
        var into = new List<IndexedKey>();
        int count = index.Range(range, at, limit, into);
        return (count, string.Join(",", into.Select(k => $"{Encoding.UTF8.GetString(k.Key)}@{k.Modified}")));
    }

    [Fact]
    public void Range_counts_every_live_key_and_collects_up_to_the_limit()
    {
        var index = Sample();
        Assert.Equal((3, "a@4.0,b@5.1,c@5.0"), Range(index, R("a", "\0"), 5, -1));
        Assert.Equal((3, "a@4.0,b@5.1"), Range(index, R("a", "\0"), 5, 2));
        Assert.Equal((3, ""), Range(index, R("a", "\0"), 5, 0));
        Assert.Equal((2, "b@5.1,c@5.0"), Range(index, R("a", "\0"), 6, -1));
        Assert.Equal((1, "a@2.0"), Range(index, R("a", "b"), 3, -1));
        Assert.Equal((0, ""), Range(index, R("a"), 6, -1));
        Assert.Equal((1, ""), Range(index, R("b"), 6, 0));
        Assert.Equal((0, ""), Range(index, R("zz"), 6, -1));
    }

    [Fact]
    public void Put_returns_the_state_of_the_key_just_before_it()
    {
        var index = Sample();
        Assert.Null(index.Put(K("new"), new Revision(7, 0)));
        Assert.Null(index.Put(K("a"), new Revision(7, 1)));        // deleted at 6: created anew
        Assert.Equal(new KeyState(new Revision(5, 1), 3, 2), index.Put(K("b"), new Revision(7, 2)));
        Assert.Equal(new KeyState(new Revision(7, 2), 3, 3), index.Put(K("b"), new Revision(8, 0)));
        Assert.Equal(new KeyState(new Revision(7, 1), 7, 1), index.Get(K("a"), 8));
    }

    [Fact]
    public void A_tombstone_on_a_missing_or_deleted_key_is_refused()
    {
        var index = Sample();
        Assert.False(index.Tombstone(K("zz"), new Revision(7, 0)));
        Assert.False(index.Tombstone(K("a"), new Revision(7, 0)));
    }

    [Fact]
    public void Range_since_lists_changes_in_revision_order_across_keys()
    {
        var index = Sample();
        Assert.Equal(["2.0", "3.0", "4.0", "5.0", "5.1", "6.0"], index.RangeSince(R("a", "\0"), 1).Select(r => r.ToString()));
        Assert.Equal(["4.0", "5.0", "5.1", "6.0"], index.RangeSince(R("a", "\0"), 4).Select(r => r.ToString()));
        Assert.Equal(["5.1"], index.RangeSince(R("b"), 4).Select(r => r.ToString()));
        Assert.Empty(index.RangeSince(R("zz"), 1));
    }

    [Fact]
    public void Keep_and_compact_agree_and_compaction_drops_ended_keys()
    {
        var index = Sample();
        var keep = index.Keep(6);
        Assert.Equal(["5.0", "5.1"], keep.Select(r => r.ToString()).Order());
        Assert.Equal(keep, index.Compact(6));
        Assert.Equal(2, index.KeyCount);
        Assert.Equal((2, "b@5.1,c@5.0"), Range(index, R("a", "\0"), 6, -1));
    }

    [Fact]
    public void Scans_longer_than_one_hold_of_the_lock_see_every_key_once()
    {
        var index = new TreeIndex();
        int keys = TreeIndex.KeysPerLockHold * 2 + 5;
        for (int i = 0; i < keys; i++)
        {
            index.Put(K($"k{i:D5}"), new Revision(2 + i, 0));
        }
        var into = new List<IndexedKey>();
        Assert.Equal(keys, index.Range(R("k", "\0"), long.MaxValue, -1, into));
        Assert.Equal(keys, into.Select(k => Encoding.UTF8.GetString(k.Key)).Distinct().Count());
        Assert.Equal(Enumerable.Range(0, keys).Select(i => $"k{i:D5}"), into.Select(k => Encoding.UTF8.GetString(k.Key)));
        // At an older revision only the keys put by then exist.
        Assert.Equal(TreeIndex.KeysPerLockHold + 1, index.Range(R("k", "\0"), TreeIndex.KeysPerLockHold + 2, -1, []));
    }
}
