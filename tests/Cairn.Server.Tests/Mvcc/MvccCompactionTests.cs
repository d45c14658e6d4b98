using Cairn.Server.Errors;
using Cairn.Server.Mvcc;
using static Cairn.Server.Tests.Mvcc.StoreHelpers;

namespace Cairn.Server.Tests.Mvcc;

public class MvccCompactionTests
{
    private static List<(Revision Revision, bool Tombstone)> Records(InMemoryRevisionBackend backend)
    {
        var records = new List<(Revision, bool)>();
        backend.ScanRecords(new Revision(0, 0), new Revision(long.MaxValue, 0), (rev, tomb, _) =>
        {
            records.Add((rev, tomb));
            return true;
        });
        return records;
    }

    [Fact]
    public async Task Compaction_deletes_the_records_no_read_at_or_above_it_can_see()
    {
        var backend = new InMemoryRevisionBackend();
        using var store = NewStore(backend);
        store.Put("a", "1");   // 2
        store.Put("a", "2");   // 3
        store.Put("b", "1");   // 4
        store.Delete("b");     // 5 (tombstone)
        store.Put("c", "1");   // 6
        store.Put("a", "3");   // 7

        var outcome = store.Compact(6);
        await outcome.Physical;

        // a keeps 3 (its newest at or below 6) and 7; b's history ended in a tombstone: all gone.
        Assert.Equal(
            [(new Revision(3, 0), false), (new Revision(6, 0), false), (new Revision(7, 0), false)],
            Records(backend));
        Assert.Equal(new CompactionMarks(6, 6), backend.ReadCompactionMarks());
        Assert.Equal(2, store.IndexedKeyCount);
        Assert.Equal(["a=2@2/3/2", "c=1@6/6/1"], Describe(store.Get("a", "\0", rev: 6).KeyValues));
        Assert.Equal(["a=3@2/7/3", "c=1@6/6/1"], Describe(store.Get("a", "\0").KeyValues));
    }

    [Fact]
    public async Task Compaction_runs_in_batches_each_committed()
    {
        var backend = new InMemoryRevisionBackend();
        using var store = NewStore(backend, batchLimit: 10);
        for (int i = 0; i < 95; i++)
        {
            store.Put("k", $"{i}");
        }
        int commits = backend.ForcedCommits;

        await store.Compact(store.CurrentRevision).Physical;

        Assert.Single(Records(backend));
        // One commit for the scheduled mark, one per batch of 10 among 95 records.
        Assert.Equal(commits + 1 + 10, backend.ForcedCommits);
        Assert.Equal(["k=94@2/96/95"], Describe(store.Get("k").KeyValues));
    }

    [Fact]
    public async Task A_refused_compaction_waits_for_the_ones_already_running()
    {
        using var store = NewStore();
        store.Put("a", "1");
        store.Put("a", "2");
        var first = store.Compact(3);
        var refused = store.Compact(2);
        Assert.Same(EtcdErrors.Compacted, refused.Error);
        await refused.Physical;
        Assert.True(first.Physical.IsCompleted);
    }

    [Fact]
    public async Task Compaction_of_a_deleted_key_removes_it_from_the_index()
    {
        using var store = NewStore();
        store.Put("gone", "1");
        store.Delete("gone");
        store.Put("kept", "1");
        Assert.Equal(2, store.IndexedKeyCount);

        await store.Compact(store.CurrentRevision).Physical;

        Assert.Equal(1, store.IndexedKeyCount);
        // The key comes back as a new one.
        store.Put("gone", "2");
        Assert.Equal(["gone=2@5/5/1"], Describe(store.Get("gone").KeyValues));
    }

    [Fact]
    public async Task Compaction_of_many_keys_spans_several_holds_of_the_index_lock()
    {
        using var store = NewStore();
        int keys = TreeIndex.KeysPerLockHold * 3 + 17;
        using (var txn = store.Write())
        {
            for (int i = 0; i < keys; i++)
            {
                txn.Put(B($"k{i:D5}"), B("1"), 0);
            }
        }
        store.Delete("k00000", "k01000");
        await store.Compact(store.CurrentRevision).Physical;
        Assert.Equal(keys - 1000, store.IndexedKeyCount);
        Assert.Equal(keys - 1000, store.Get("k", "\0", countOnly: true).Count);
    }
}
