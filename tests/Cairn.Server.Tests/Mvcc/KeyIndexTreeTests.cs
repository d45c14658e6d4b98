using System.Text;
using Cairn.Server.Mvcc;
using Xunit.Abstractions;

namespace Cairn.Server.Tests.Mvcc;

public class KeyIndexTreeTests(ITestOutputHelper output)
{
    private static KeyIndex Item(string key) => new(Encoding.UTF8.GetBytes(key));

    private static List<string> Scan(KeyIndexTree.Cursor cursor)
    {
        var keys = new List<string>();
        while (cursor.MoveNext())
        {
            keys.Add(Encoding.UTF8.GetString(cursor.Current.Key));
        }
        return keys;
    }

    [Fact]
    public void Keys_come_back_in_byte_order_from_any_starting_point()
    {
        var tree = new KeyIndexTree();
        foreach (var k in new[] { "b", "a", "ab", "\u00ff", "B", "a\0", "" })
        {
            tree.Insert(Item(k));
        }
        Assert.Equal(["", "B", "a", "a\0", "ab", "b", "\u00ff"], Scan(tree.First()));
        Assert.Equal(["a\0", "ab", "b", "\u00ff"], Scan(tree.Seek("a\0"u8)));
        Assert.Equal(["ab", "b", "\u00ff"], Scan(tree.Seek("aa"u8)));
        Assert.Equal(["b", "\u00ff"], Scan(tree.Seek("ac"u8)));
        Assert.Empty(Scan(tree.Seek(Encoding.UTF8.GetBytes("\u0100"))));
    }

    [Fact]
    public void An_empty_tree_finds_and_scans_nothing()
    {
        var tree = new KeyIndexTree();
        Assert.Null(tree.Find("a"u8));
        Assert.Empty(Scan(tree.First()));
        Assert.Empty(Scan(tree.Seek("a"u8)));
        Assert.False(tree.Remove("a"u8));
        tree.CheckInvariants();
    }

    [Fact]
    public void Inserting_a_key_twice_is_refused()
    {
        var tree = new KeyIndexTree();
        tree.Insert(Item("a"));
        Assert.Throws<InvalidOperationException>(() => tree.Insert(Item("a")));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Random_inserts_and_removes_match_a_sorted_set(int seed)
    {
        output.WriteLine($"seed {seed}");
        var random = new Random(seed);
        var tree = new KeyIndexTree();
        var model = new SortedSet<string>(StringComparer.Ordinal);
        // Enough keys for three levels, then shrink back to one leaf and grow again.
        foreach (var (target, steps) in new[] { (8_000, 16_000), (10, 16_000), (3_000, 6_000) })
        {
            for (int step = 0; step < steps; step++)
            {
                // Bias toward growth or shrinkage to reach the target size.
                bool insert = model.Count < target ? random.Next(4) != 0 : random.Next(4) == 0;
                string key = $"k{random.Next(12_000):D5}";
                if (insert && model.Add(key))
                {
                    tree.Insert(Item(key));
                }
                else if (!insert)
                {
                    Assert.Equal(model.Remove(key), tree.Remove(Encoding.UTF8.GetBytes(key)));
                }
                if (step % 4_000 == 0)
                {
                    tree.CheckInvariants();
                }
            }
            tree.CheckInvariants();
            output.WriteLine($"{model.Count} keys, height {tree.Height}");
            Assert.True(target < 8_000 || tree.Height >= 3, $"height {tree.Height} at {model.Count} keys");
            Assert.Equal(model.Count, tree.Count);
            Assert.Equal(model, Scan(tree.First()));
            string probe = $"k{random.Next(12_000):D5}";
            Assert.Equal(model.GetViewBetween(probe, "l").ToList(), Scan(tree.Seek(Encoding.UTF8.GetBytes(probe))));
            Assert.Equal(model.Contains(probe), tree.Find(Encoding.UTF8.GetBytes(probe)) is not null);
        }
    }

    [Fact]
    public void Removing_every_key_in_order_and_in_reverse_keeps_the_tree_valid()
    {
        foreach (bool reverse in new[] { false, true })
        {
            var tree = new KeyIndexTree();
            var keys = Enumerable.Range(0, 10_000).Select(i => $"{i:D6}").ToList();
            foreach (var k in keys)
            {
                tree.Insert(Item(k));
            }
            tree.CheckInvariants();
            if (reverse)
            {
                keys.Reverse();
            }
            for (int i = 0; i < keys.Count; i++)
            {
                Assert.True(tree.Remove(Encoding.UTF8.GetBytes(keys[i])));
                if (i % 997 == 0)
                {
                    tree.CheckInvariants();
                }
            }
            tree.CheckInvariants();
            Assert.Equal(0, tree.Count);
            Assert.Empty(Scan(tree.First()));
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(15)]
    [InlineData(48)]
    [InlineData(49)]
    [InlineData(64)]
    [InlineData(1_000)]
    [InlineData(100_000)]
    public void Bulk_loading_sorted_keys_gives_a_valid_tree_that_keeps_working(int count)
    {
        var tree = new KeyIndexTree();
        var keys = Enumerable.Range(0, count).Select(i => $"k{i:D6}").ToList();
        tree.BulkLoad(keys.Select(Item).ToList());
        tree.CheckInvariants();
        Assert.Equal(count, tree.Count);
        Assert.Equal(keys, Scan(tree.First()));
        if (count > 0)
        {
            Assert.NotNull(tree.Find(Encoding.UTF8.GetBytes(keys[count / 2])));
        }

        // Inserting between and removing every other key afterwards keeps it valid.
        for (int i = 0; i < count; i += 2)
        {
            tree.Insert(Item(keys[i] + "+"));
            Assert.True(tree.Remove(Encoding.UTF8.GetBytes(keys[i])));
        }
        tree.CheckInvariants();
        Assert.Equal(count, tree.Count);
    }

    [Fact]
    public void Bulk_loading_refuses_unsorted_keys_or_a_tree_in_use()
    {
        Assert.Throws<ArgumentException>(() => new KeyIndexTree().BulkLoad([Item("b"), Item("a")]));
        Assert.Throws<ArgumentException>(() => new KeyIndexTree().BulkLoad([Item("a"), Item("a")]));
        var tree = new KeyIndexTree();
        tree.Insert(Item("a"));
        Assert.Throws<InvalidOperationException>(() => tree.BulkLoad([Item("b")]));
    }
}
