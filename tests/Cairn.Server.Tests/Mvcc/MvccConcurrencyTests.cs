using Cairn.Server.Mvcc;
using Xunit.Abstractions;
using static Cairn.Server.Tests.Mvcc.StoreHelpers;

namespace Cairn.Server.Tests.Mvcc;

public class MvccConcurrencyTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Readers_always_see_whole_transactions_while_the_writer_and_the_compactor_run()
    {
        // The writer rewrites every key in one transaction per round, so a consistent read sees
        // every key with the same value and mod revision; enough keys that scans take several
        // holds of the index lock.
        const int keys = TreeIndex.KeysPerLockHold + 200;
        const int rounds = 20;
        using var store = NewStore();
        using (var txn = store.Write())
        {
            for (int k = 0; k < keys; k++)
            {
                txn.Put(B($"k{k:D5}"), B("0"), 0);
            }
        }
        using var stop = new CancellationTokenSource();
        int reads = 0, compacted = 0;
        var readers = Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                var view = store.Read();
                RangeResult r;
                try
                {
                    r = view.Range(Range("k", "\0"), default);
                }
                catch (Cairn.Server.Errors.EtcdException e) when (e.Error == Cairn.Server.Errors.EtcdErrors.Compacted)
                {
                    // The writer moved on and compacted past this view's revision: a correct answer.
                    Assert.True(view.Revision < store.CompactedRevision);
                    Interlocked.Increment(ref compacted);
                    continue;
                }
                Assert.Equal(keys, r.Count);
                Assert.Equal(keys, r.KeyValues.Count);
                Assert.Single(r.KeyValues.Select(kv => S(kv.Value)).Distinct());
                Assert.Single(r.KeyValues.Select(kv => kv.ModRevision).Distinct());
                Assert.Equal(view.Revision, r.KeyValues[0].ModRevision);
                Interlocked.Increment(ref reads);
            }
        })).ToArray();

        var compactions = new List<Task>();
        for (int round = 1; round <= rounds; round++)
        {
            // Each round waits for a whole read to land first, so the readers are interleaved
            // with the writer even when the pool starts them late (a fast machine used to finish
            // all rounds before either reader had begun).
            await UntilAReadCompletesAfter(Volatile.Read(ref reads));
            using (var txn = store.Write())
            {
                for (int k = 0; k < keys; k++)
                {
                    txn.Put(B($"k{k:D5}"), B($"{round}"), 0);
                }
            }
            if (round % 5 == 0)
            {
                compactions.Add(store.Compact(store.CurrentRevision - 1).Physical);
            }
        }
        await Task.WhenAll(compactions);
        await UntilAReadCompletesAfter(Volatile.Read(ref reads));
        stop.Cancel();
        await Task.WhenAll(readers);
        output.WriteLine($"{reads} consistent reads, {compacted} refused as compacted, during {rounds} rounds");
        Assert.True(reads > rounds);
        Assert.Equal(Enumerable.Repeat($"{rounds}", keys), store.Get("k", "\0").KeyValues.Select(kv => S(kv.Value)));

        async Task UntilAReadCompletesAfter(int seen)
        {
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (Volatile.Read(ref reads) == seen)
            {
                // A reader that failed an assertion stops reading: surface its failure.
                var failed = readers.FirstOrDefault(t => t.IsCompleted);
                if (failed is not null)
                {
                    await failed;
                }
                Assert.True(DateTime.UtcNow < deadline, "no consistent read completed within 60 s");
                await Task.Delay(1);
            }
        }
    }

    [Fact]
    public void A_read_at_a_revision_that_gets_compacted_meanwhile_reports_compacted_rather_than_missing_keys()
    {
        // The read checks the compacted revision again after reading: simulate the race by
        // compacting between opening a view and reading from it.
        using var store = NewStore();
        store.Put("a", "1");
        store.Put("a", "2");
        var view = store.Read();
        store.Put("a", "3");
        Assert.Null(store.Compact(4).Error);
        var e = Assert.Throws<Cairn.Server.Errors.EtcdException>(() => view.Range(Range("a"), new RangeOptions(Revision: 2)));
        Assert.Same(Cairn.Server.Errors.EtcdErrors.Compacted, e.Error);
    }
}
