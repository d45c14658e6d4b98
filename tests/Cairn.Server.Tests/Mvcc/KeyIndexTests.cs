using System.Text;
using Cairn.Server.Mvcc;

namespace Cairn.Server.Tests.Mvcc;

// The cases of etcd's mvcc/key_index_test.go, on the same history.
public class KeyIndexTests
{
    /// <summary>
    /// put 2, put 4, delete 6, put 8, put 10, delete 12, put 14.0, put 14.1, delete 16:
    /// {2 4 6(t)} {8 10 12(t)} {14.0 14.1 16(t)} {}.
    /// </summary>
    private static KeyIndex History()
    {
        var ki = new KeyIndex(Encoding.UTF8.GetBytes("foo"));
        ki.Put(new Revision(2, 0));
        ki.Put(new Revision(4, 0));
        Assert.True(ki.Tombstone(new Revision(6, 0)));
        ki.Put(new Revision(8, 0));
        ki.Put(new Revision(10, 0));
        Assert.True(ki.Tombstone(new Revision(12, 0)));
        ki.Put(new Revision(14, 0));
        ki.Put(new Revision(14, 1));
        Assert.True(ki.Tombstone(new Revision(16, 0)));
        return ki;
    }

    [Theory]
    [InlineData(17, null, null, 0)]
    [InlineData(16, null, null, 0)]
    [InlineData(15, "14.1", 14L, 2)]
    [InlineData(14, "14.1", 14L, 2)]
    [InlineData(13, null, null, 0)]
    [InlineData(12, null, null, 0)]
    [InlineData(11, "10.0", 8L, 2)]
    [InlineData(10, "10.0", 8L, 2)]
    [InlineData(9, "8.0", 8L, 1)]
    [InlineData(8, "8.0", 8L, 1)]
    [InlineData(7, null, null, 0)]
    [InlineData(6, null, null, 0)]
    [InlineData(5, "4.0", 2L, 2)]
    [InlineData(4, "4.0", 2L, 2)]
    [InlineData(3, null, null, 0)]
    [InlineData(2, null, null, 0)]
    [InlineData(1, null, null, 0)]
    [InlineData(0, null, null, 0)]
    public void Get_at_a_revision_gives_the_state_of_the_generation_alive_then(long at, string? modified, long? created, long version)
    {
        var ki = History();
        ki.Compact(4, []);

        var state = ki.Get(at);

        if (modified is null)
        {
            Assert.Null(state);
        }
        else
        {
            Assert.NotNull(state);
            Assert.Equal(modified, state.Value.Modified.ToString());
            Assert.Equal(created, state.Value.CreateRevision);
            Assert.Equal(version, state.Value.Version);
        }
    }

    [Fact]
    public void Since_lists_changes_from_a_revision_keeping_the_last_sub_revision_of_each_main()
    {
        var ki = History();
        ki.Compact(4, []);
        string[] all = ["4.0", "6.0", "8.0", "10.0", "12.0", "14.1", "16.0"];
        var expected = new Dictionary<long, int>
        {
            [17] = 7, [16] = 6, [15] = 6, [14] = 5, [13] = 5, [12] = 4, [11] = 4, [10] = 3, [9] = 3,
            [8] = 2, [7] = 2, [6] = 1, [5] = 1, [4] = 0, [3] = 0, [2] = 0, [1] = 0, [0] = 0,
        };
        foreach (var (since, skip) in expected)
        {
            var revs = new List<Revision>();
            ki.AppendSince(since, revs);
            Assert.Equal(all[skip..], revs.Select(r => r.ToString()));
        }
    }

    [Fact]
    public void Put_starts_a_generation_and_counts_versions()
    {
        var ki = new KeyIndex("foo"u8.ToArray());
        ki.Put(new Revision(5, 0));
        Assert.Equal("5:1[5.0]", ki.ToString());
        Assert.Equal(new Revision(5, 0), ki.Modified);

        ki.Put(new Revision(7, 0));
        Assert.Equal("5:2[5.0 7.0]", ki.ToString());
        Assert.Equal(new Revision(7, 0), ki.Modified);
    }

    [Fact]
    public void Put_at_an_older_revision_than_the_last_change_is_refused()
    {
        var ki = new KeyIndex("foo"u8.ToArray());
        ki.Put(new Revision(5, 1));
        Assert.Throws<InvalidOperationException>(() => ki.Put(new Revision(5, 0)));
        Assert.Throws<InvalidOperationException>(() => ki.Put(new Revision(5, 1)));
    }

    [Fact]
    public void Restore_starts_from_the_newest_record_with_its_create_revision_and_version()
    {
        var ki = new KeyIndex("foo"u8.ToArray());
        ki.Restore(5, new Revision(7, 0), 2);
        Assert.Equal("5:2[7.0]", ki.ToString());
        Assert.Equal(new Revision(7, 0), ki.Modified);
        Assert.Equal(new KeyState(new Revision(7, 0), 5, 2), ki.Get(7));
    }

    [Fact]
    public void Tombstone_ends_the_generation_and_a_second_one_is_refused()
    {
        var ki = new KeyIndex("foo"u8.ToArray());
        ki.Put(new Revision(5, 0));
        Assert.True(ki.Tombstone(new Revision(7, 0)));
        Assert.Equal("5:2[5.0 7.0] []", ki.ToString());

        ki.Put(new Revision(8, 0));
        ki.Put(new Revision(9, 0));
        Assert.True(ki.Tombstone(new Revision(15, 0)));
        Assert.Equal("5:2[5.0 7.0] 8:3[8.0 9.0 15.0] []", ki.ToString());
        Assert.Equal(new Revision(15, 0), ki.Modified);

        Assert.False(ki.Tombstone(new Revision(16, 0)));
        Assert.Equal(new Revision(15, 0), ki.Modified);
    }

    // compact at, expected index after it, expected kept revisions.
    public static TheoryData<long, string, string[]> Compactions => new()
    {
        { 1, "2:3[2.0 4.0 6.0] 8:3[8.0 10.0 12.0] 14:3[14.0 14.1 16.0] []", [] },
        { 2, "2:3[2.0 4.0 6.0] 8:3[8.0 10.0 12.0] 14:3[14.0 14.1 16.0] []", ["2.0"] },
        { 3, "2:3[2.0 4.0 6.0] 8:3[8.0 10.0 12.0] 14:3[14.0 14.1 16.0] []", ["2.0"] },
        { 4, "2:3[4.0 6.0] 8:3[8.0 10.0 12.0] 14:3[14.0 14.1 16.0] []", ["4.0"] },
        { 5, "2:3[4.0 6.0] 8:3[8.0 10.0 12.0] 14:3[14.0 14.1 16.0] []", ["4.0"] },
        { 6, "8:3[8.0 10.0 12.0] 14:3[14.0 14.1 16.0] []", [] },
        { 7, "8:3[8.0 10.0 12.0] 14:3[14.0 14.1 16.0] []", [] },
        { 8, "8:3[8.0 10.0 12.0] 14:3[14.0 14.1 16.0] []", ["8.0"] },
        { 9, "8:3[8.0 10.0 12.0] 14:3[14.0 14.1 16.0] []", ["8.0"] },
        { 10, "8:3[10.0 12.0] 14:3[14.0 14.1 16.0] []", ["10.0"] },
        { 11, "8:3[10.0 12.0] 14:3[14.0 14.1 16.0] []", ["10.0"] },
        { 12, "14:3[14.0 14.1 16.0] []", [] },
        { 13, "14:3[14.0 14.1 16.0] []", [] },
        { 14, "14:3[14.1 16.0] []", ["14.1"] },
        { 15, "14:3[14.1 16.0] []", ["14.1"] },
        { 16, "[]", [] },
    };

    [Theory]
    [MemberData(nameof(Compactions))]
    public void Compact_once_keeps_the_newest_revision_at_or_below_unless_a_tombstone(long at, string expected, string[] kept)
    {
        var ki = History();
        var keep = new HashSet<Revision>();
        ki.Keep(at, keep);
        Assert.Equal(History().ToString(), ki.ToString());
        Assert.Equal(kept.Order(), keep.Select(r => r.ToString()).Order());

        keep.Clear();
        ki.Compact(at, keep);
        Assert.Equal(expected, ki.ToString());
        Assert.Equal(kept.Order(), keep.Select(r => r.ToString()).Order());
        Assert.Equal(at >= 16, ki.IsEmpty);
    }

    [Fact]
    public void Compact_repeatedly_at_rising_revisions_reaches_the_same_states()
    {
        var ki = History();
        foreach (var row in Compactions)
        {
            long at = (long)row[0];
            var keep = new HashSet<Revision>();
            var before = ki.ToString();
            ki.Keep(at, keep);
            Assert.Equal(before, ki.ToString());
            Assert.Equal(((string[])row[2]).Order(), keep.Select(r => r.ToString()).Order());

            keep.Clear();
            ki.Compact(at, keep);
            Assert.Equal((string)row[1], ki.ToString());
            Assert.Equal(((string[])row[2]).Order(), keep.Select(r => r.ToString()).Order());
        }
    }

    [Fact]
    public void Compact_skipping_revisions_reaches_the_same_states()
    {
        var ki = History();
        var rows = Compactions.ToList();
        for (int i = 0; i < rows.Count; i++)
        {
            if (!((i % 2 == 0 && i < 6) || (i % 2 == 1 && i > 6)))
            {
                continue;
            }
            var keep = new HashSet<Revision>();
            ki.Compact((long)rows[i][0], keep);
            Assert.Equal((string)rows[i][1], ki.ToString());
            Assert.Equal(((string[])rows[i][2]).Order(), keep.Select(r => r.ToString()).Order());
        }
    }

    [Fact]
    public void Compact_above_the_last_change_keeps_the_last_revision()
    {
        var ki = new KeyIndex("foo"u8.ToArray());
        ki.Put(new Revision(1, 0));
        ki.Put(new Revision(2, 0));
        var keep = new HashSet<Revision>();
        ki.Compact(3, keep);
        Assert.Equal("1:2[2.0]", ki.ToString());
        Assert.Equal([new Revision(2, 0)], keep);
        Assert.Equal(new KeyState(new Revision(2, 0), 1, 2), ki.Get(3));
    }

    [Fact]
    public void A_key_with_no_revisions_is_empty()
    {
        var ki = new KeyIndex("foo"u8.ToArray());
        Assert.True(ki.IsEmpty);
        ki.Put(new Revision(2, 0));
        Assert.False(ki.IsEmpty);
        Assert.True(ki.IsLive);
        ki.Tombstone(new Revision(3, 0));
        Assert.False(ki.IsEmpty);
        Assert.False(ki.IsLive);
    }

    [Fact]
    public void Operations_on_a_key_without_revisions_are_refused()
    {
        var ki = new KeyIndex("foo"u8.ToArray());
        Assert.Throws<InvalidOperationException>(() => ki.Get(1));
        Assert.Throws<InvalidOperationException>(() => ki.Tombstone(new Revision(1, 0)));
        Assert.Throws<InvalidOperationException>(() => ki.Compact(1, []));
    }
}
