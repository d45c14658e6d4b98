using Cairn.Server.Mvcc;
using static Cairn.Server.Tests.Mvcc.StoreHelpers;

namespace Cairn.Server.Tests.Mvcc;

public class MvccRestoreTests
{
    private sealed class RecordingLeases : IKeyLeases
    {
        public Dictionary<string, long> Attached { get; } = [];

        public long LeaseOf(ReadOnlySpan<byte> key) =>
            Attached.GetValueOrDefault(System.Text.Encoding.UTF8.GetString(key));

        public void Attach(long leaseId, ReadOnlySpan<byte> key) =>
            Attached[System.Text.Encoding.UTF8.GetString(key)] = leaseId;

        public void Detach(long leaseId, ReadOnlySpan<byte> key)
        {
            var name = System.Text.Encoding.UTF8.GetString(key);
            Assert.Equal(leaseId, Attached[name]);
            Attached.Remove(name);
        }
    }

    private static void History(MvccStore store)
    {
        store.Put("a", "1");       // 2
        store.Put("b", "1");       // 3
        store.Put("a", "2");       // 4
        store.Delete("b");         // 5
        store.Put("b", "2");       // 6
        using (var txn = store.Write())  // 7.0 7.1 7.2
        {
            txn.Put(B("c"), B("1"), 0);
            txn.Put(B("d"), B("1"), 0);
            txn.DeleteRange(Range("a"));
        }
        store.Delete("d");         // 8
    }

    [Fact]
    public void Reopening_rebuilds_the_same_index_and_revision_from_the_records()
    {
        var backend = new InMemoryRevisionBackend();
        using var original = NewStore(backend);
        History(original);

        using var reopened = NewStore(backend);

        Assert.Equal(original.CurrentRevision, reopened.CurrentRevision);
        Assert.Equal(8, reopened.CurrentRevision);
        Assert.True(original.Index.SameAs(reopened.Index));
        for (long rev = 1; rev <= 8; rev++)
        {
            Assert.Equal(
                Describe(original.Get("a", "\0", rev: rev).KeyValues),
                Describe(reopened.Get("a", "\0", rev: rev).KeyValues));
        }
        Assert.Equal(9, reopened.Put("e", "1"));
    }

    [Fact]
    public async Task Reopening_after_compaction_keeps_the_compacted_revision_and_the_surviving_history()
    {
        var backend = new InMemoryRevisionBackend();
        using var original = NewStore(backend);
        History(original);
        await original.Compact(6).Physical;

        using var reopened = NewStore(backend);

        Assert.Equal(6, reopened.CompactedRevision);
        Assert.Equal(8, reopened.CurrentRevision);
        for (long rev = 6; rev <= 8; rev++)
        {
            Assert.Equal(
                Describe(original.Get("a", "\0", rev: rev).KeyValues),
                Describe(reopened.Get("a", "\0", rev: rev).KeyValues));
        }
        Assert.Equal(["b=2@6/6/1", "c=1@7/7/1"], Describe(reopened.Get("a", "\0").KeyValues));
    }

    [Fact]
    public async Task Reopening_when_compaction_removed_every_record_starts_at_the_compacted_revision()
    {
        var backend = new InMemoryRevisionBackend();
        using (var original = NewStore(backend))
        {
            original.Put("a", "1");  // 2
            original.Delete("a");    // 3
            await original.Compact(3).Physical;
        }
        Assert.Equal(0, backend.RecordCount);

        using var reopened = NewStore(backend);
        Assert.Equal(3, reopened.CurrentRevision);
        Assert.Equal(3, reopened.CompactedRevision);
        Assert.Equal(4, reopened.Put("a", "2"));
    }

    [Fact]
    public async Task An_interrupted_compaction_is_finished_when_the_store_reopens()
    {
        var backend = new InMemoryRevisionBackend();
        using (var original = NewStore(backend))
        {
            History(original);
        }
        // As if the process died after recording the intent, before deleting anything.
        using (var writer = backend.BeginWrite())
        {
            writer.WriteScheduledCompaction(6);
        }
        int before = backend.RecordCount;

        using var reopened = NewStore(backend);
        Assert.Equal(6, reopened.CompactedRevision);
        await reopened.Compact(6).Physical; // refused as already compacted; waits for the running one

        Assert.Equal(new CompactionMarks(6, 6), backend.ReadCompactionMarks());
        Assert.True(backend.RecordCount < before);
        Assert.Equal(["b=2@6/6/1", "c=1@7/7/1"], Describe(reopened.Get("a", "\0").KeyValues));
    }

    [Fact]
    public void Reopening_attaches_live_keys_to_their_leases()
    {
        var backend = new InMemoryRevisionBackend();
        var leases = new RecordingLeases();
        using (var original = NewStore(backend, leases))
        {
            original.Put("a", "1", lease: 10);
            original.Put("b", "1", lease: 20);
            original.Put("b", "2", lease: 30);   // moves b to lease 30
            original.Put("c", "1", lease: 40);
            original.Delete("c");                 // c leaves lease 40
            original.Put("a", "2");               // a leaves lease 10
            Assert.Equal(new Dictionary<string, long> { ["b"] = 30 }, leases.Attached);
        }

        var restored = new RecordingLeases();
        using var reopened = NewStore(backend, restored);
        Assert.Equal(new Dictionary<string, long> { ["b"] = 30 }, restored.Attached);
    }
}
