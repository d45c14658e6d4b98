using Cairn.Server.Errors;
using Cairn.Server.Mvcc;
using static Cairn.Server.Tests.Mvcc.StoreHelpers;

namespace Cairn.Server.Tests.Mvcc;

public class MvccStoreTests
{
    [Fact]
    public void A_new_store_is_at_revision_1_with_nothing_compacted()
    {
        using var store = NewStore();
        Assert.Equal(1, store.CurrentRevision);
        Assert.Equal(-1, store.CompactedRevision);
        var r = store.Get("a", "\0");
        Assert.Empty(r.KeyValues);
        Assert.Equal(0, r.Count);
        Assert.Equal(1, r.Revision);
    }

    [Fact]
    public void Each_write_gets_the_next_revision_and_a_key_keeps_create_revision_and_counts_versions()
    {
        using var store = NewStore();
        Assert.Equal(2, store.Put("foo", "bar"));
        Assert.Equal(3, store.Put("foo", "baz"));
        Assert.Equal(4, store.Put("other", "x"));
        Assert.Equal(4, store.CurrentRevision);

        var r = store.Get("foo");
        Assert.Equal(["foo=baz@2/3/2"], Describe(r.KeyValues));
        Assert.Equal(4, r.Revision);
    }

    [Fact]
    public void Delete_leaves_a_tombstone_and_recreating_resets_version_and_create_revision()
    {
        using var store = NewStore();
        store.Put("foo", "1");
        store.Put("foo", "2");
        Assert.Equal((1, 4), store.Delete("foo"));
        Assert.Empty(store.Get("foo").KeyValues);

        store.Put("foo", "3");
        Assert.Equal(["foo=3@5/5/1"], Describe(store.Get("foo").KeyValues));
    }

    [Fact]
    public void Deleting_nothing_does_not_move_the_revision()
    {
        using var store = NewStore();
        store.Put("foo", "1");
        Assert.Equal((0, 2), store.Delete("nothing"));
        Assert.Equal((0, 2), store.Delete("x", "z"));
        Assert.Equal(2, store.CurrentRevision);
    }

    [Fact]
    public void Ranges_read_any_past_revision()
    {
        using var store = NewStore();
        store.Put("a", "1");      // 2
        store.Put("b", "1");      // 3
        store.Put("a", "2");      // 4
        store.Delete("b");        // 5
        store.Put("c", "1");      // 6

        Assert.Equal(["a=1@2/2/1"], Describe(store.Get("a", "\0", rev: 2).KeyValues));
        Assert.Equal(["a=1@2/2/1", "b=1@3/3/1"], Describe(store.Get("a", "\0", rev: 3).KeyValues));
        Assert.Equal(["a=2@2/4/2", "b=1@3/3/1"], Describe(store.Get("a", "\0", rev: 4).KeyValues));
        Assert.Equal(["a=2@2/4/2"], Describe(store.Get("a", "\0", rev: 5).KeyValues));
        Assert.Equal(["a=2@2/4/2", "c=1@6/6/1"], Describe(store.Get("a", "\0").KeyValues));
        Assert.Empty(store.Get("a", rev: 1).KeyValues);
        // The header revision is the store's, whatever revision was read.
        Assert.Equal(6, store.Get("a", rev: 2).Revision);
    }

    [Fact]
    public void A_future_revision_is_refused_with_etcds_error()
    {
        using var store = NewStore();
        store.Put("a", "1");
        var e = Assert.Throws<EtcdException>(() => store.Get("a", rev: 3));
        Assert.Same(EtcdErrors.FutureRevision, e.Error);
        Assert.Equal("etcdserver: mvcc: required revision is a future revision", e.Message);
    }

    [Fact]
    public async Task After_compaction_older_revisions_are_refused_and_the_compacted_one_is_still_served()
    {
        using var store = NewStore();
        store.Put("a", "1");   // 2
        store.Put("a", "2");   // 3
        store.Put("a", "3");   // 4
        var outcome = store.Compact(3);
        Assert.Null(outcome.Error);
        await outcome.Physical;

        Assert.Equal(3, store.CompactedRevision);
        var e = Assert.Throws<EtcdException>(() => store.Get("a", rev: 2));
        Assert.Same(EtcdErrors.Compacted, e.Error);
        Assert.Equal("etcdserver: mvcc: required revision has been compacted", e.Message);
        Assert.Equal(["a=2@2/3/2"], Describe(store.Get("a", rev: 3).KeyValues));
        Assert.Equal(["a=3@2/4/3"], Describe(store.Get("a").KeyValues));
    }

    [Fact]
    public void Compaction_at_or_below_the_last_one_or_above_the_current_revision_is_refused()
    {
        using var store = NewStore();
        store.Put("a", "1");
        store.Put("a", "2");
        Assert.Same(EtcdErrors.FutureRevision, store.Compact(4).Error);
        Assert.Null(store.Compact(2).Error);
        Assert.Same(EtcdErrors.Compacted, store.Compact(2).Error);
        Assert.Same(EtcdErrors.Compacted, store.Compact(1).Error);
        Assert.Null(store.Compact(3).Error);
    }

    [Fact]
    public void Limit_returns_the_first_keys_and_count_all_of_them()
    {
        using var store = NewStore();
        foreach (var k in new[] { "a", "b", "c", "d" })
        {
            store.Put(k, k);
        }
        var r = store.Get("a", "\0", limit: 2);
        Assert.Equal(["a", "b"], r.KeyValues.Select(kv => S(kv.Key)));
        Assert.Equal(4, r.Count);

        var counted = store.Get("b", "d", countOnly: true);
        Assert.Empty(counted.KeyValues);
        Assert.Equal(2, counted.Count);
    }

    [Fact]
    public void A_range_end_at_or_below_the_key_selects_nothing()
    {
        using var store = NewStore();
        store.Put("b", "1");
        Assert.Equal(0, store.Get("b", "b").Count);
        Assert.Equal(0, store.Get("b", "a").Count);
        Assert.Equal(1, store.Get("b", "b\0").Count);
    }

    [Fact]
    public void A_write_transaction_uses_one_main_revision_with_sub_revisions_and_sees_its_own_writes()
    {
        var backend = new InMemoryRevisionBackend();
        using var store = NewStore(backend);
        store.Put("a", "0"); // 2
        using (var txn = store.Write())
        {
            Assert.Equal(2, txn.Revision);
            Assert.Equal(3, txn.Put(B("a"), B("1"), 0));
            Assert.Equal(3, txn.Put(B("b"), B("1"), 0));
            Assert.Equal((1, 3), txn.DeleteRange(Range("a")));
            Assert.Equal(["b=1@3/3/1"], Describe(txn.Range(Range("a", "\0"), default).KeyValues));
            Assert.Equal(3, txn.Range(Range("a", "\0"), default).Revision);
            // Readers still see the revision before the transaction.
            Assert.Equal(["a=0@2/2/1"], Describe(store.Get("a", "\0").KeyValues));
            Assert.Equal(2, store.CurrentRevision);
        }
        Assert.Equal(3, store.CurrentRevision);
        var revisions = new List<(Revision, bool)>();
        backend.ScanRecords(new Revision(3, 0), new Revision(4, 0), (rev, tomb, _) =>
        {
            revisions.Add((rev, tomb));
            return true;
        });
        Assert.Equal([(new Revision(3, 0), false), (new Revision(3, 1), false), (new Revision(3, 2), true)], revisions);
    }

    [Fact]
    public void A_write_transaction_that_changes_nothing_keeps_the_revision()
    {
        using var store = NewStore();
        store.Put("a", "0");
        using (var txn = store.Write())
        {
            Assert.Equal(2, txn.Range(Range("a"), default).Revision);
            Assert.Equal((0, 2), txn.DeleteRange(Range("zzz")));
        }
        Assert.Equal(2, store.CurrentRevision);
    }

    [Fact]
    public void Records_hold_the_keyvalue_bytes_etcd_writes()
    {
        var backend = new InMemoryRevisionBackend();
        using var store = NewStore(backend);
        store.Put("foo", "bar", lease: 7);
        store.Delete("foo");
        var records = new List<byte[]>();
        backend.ScanRecords(new Revision(0, 0), new Revision(long.MaxValue, 0), (_, _, bytes) =>
        {
            records.Add(bytes.ToArray());
            return true;
        });
        // KeyValue{key "foo", create 2, mod 2, version 1, value "bar", lease 7}, then the tombstone KeyValue{key "foo"}.
        Assert.Equal(Convert.FromHexString("0A03666F6F1002180220012A036261723007"), records[0]);
        Assert.Equal(Convert.FromHexString("0A03666F6F"), records[1]);
    }
}
