using Cairn.Server.Backend;
using Cairn.Server.Mvcc;
using Cairn.Storage.Backend;
using Revision = Cairn.Server.Mvcc.Revision;

namespace Cairn.Server.Tests.Backend;

public sealed class BatchedBackendTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "cairn-batched-backend", Guid.NewGuid().ToString("N"));

    public BatchedBackendTests() => Directory.CreateDirectory(_dir);

    private string DbPath => Path.Combine(_dir, "db");

    [Fact]
    public void ReadersSeeWritesBeforeTheyAreCommitted()
    {
        using var backend = Open(TimeSpan.FromHours(1), 1000);
        using (var batch = backend.BeginBatch())
        {
            batch.PutRecord(new Revision(2, 0), false, [1, 2, 3]);
        }
        Assert.Equal(0, backend.Commits);
        byte[]? seen = null;
        backend.ReadRecords([new Revision(2, 0)], (_, kv) => seen = kv.ToArray());
        Assert.Equal([1, 2, 3], seen);
        var scanned = new List<long>();
        backend.ScanRecords(new Revision(0, 0), new Revision(10, 0), (rev, _, _) => { scanned.Add(rev.Main); return true; });
        Assert.Equal([2L], scanned);
    }

    [Fact]
    public void ABatchIsCommittedWhenItReachesTheLimitAndScansDoNotRepeatRecords()
    {
        using var backend = Open(TimeSpan.FromHours(1), 3);
        for (int i = 1; i <= 4; i++)
        {
            using var batch = backend.BeginBatch();
            batch.PutRecord(new Revision(i, 0), false, [(byte)i]);
        }
        Assert.Equal(1, backend.Commits);
        var scanned = new List<long>();
        backend.ScanRecords(new Revision(0, 0), new Revision(10, 0), (rev, _, _) => { scanned.Add(rev.Main); return true; });
        Assert.Equal([1L, 2, 3, 4], scanned);
    }

    [Fact]
    public void NestedScopesCommitOnlyWhenTheOutermostEnds()
    {
        using var backend = Open(TimeSpan.FromHours(1), 1);
        using (var outer = backend.BeginBatch())
        {
            using (var inner = backend.BeginBatch())
            {
                inner.PutRecord(new Revision(2, 0), false, [2]);
            }
            Assert.Equal(0, backend.Commits);
            backend.ForceCommit();
            Assert.Equal(0, backend.Commits);
            outer.Transaction.SetConsistentIndex(7);
        }
        Assert.Equal(1, backend.Commits);
        Assert.Equal(7UL, backend.Read(tx => tx.ConsistentIndex));
    }

    [Fact]
    public void DisposeCommitsWhatIsPendingSoItSurvivesAReopen()
    {
        using (var backend = Open(TimeSpan.FromHours(1), 1000))
        {
            using var batch = backend.BeginBatch();
            batch.PutRecord(new Revision(5, 1), true, [9]);
            batch.Transaction.SetConsistentIndex(42);
        }
        using var reopened = Open(TimeSpan.FromHours(1), 1000);
        Assert.Equal(42UL, reopened.Read(tx => tx.ConsistentIndex));
        var scanned = new List<(long, long, bool)>();
        reopened.ScanRecords(new Revision(0, 0), new Revision(10, 0), (rev, tomb, _) => { scanned.Add((rev.Main, rev.Sub, tomb)); return true; });
        Assert.Equal([(5L, 1L, true)], scanned);
    }

    [Fact]
    public async Task TheTimerCommitsAPartialBatch()
    {
        using var backend = Open(TimeSpan.FromMilliseconds(20), 1000);
        using (var batch = backend.BeginBatch())
        {
            batch.PutRecord(new Revision(2, 0), false, [2]);
        }
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (backend.Commits == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }
        Assert.Equal(1, backend.Commits);
    }

    [Fact]
    public async Task DefragmentKeepsEveryRecord()
    {
        using var backend = Open(TimeSpan.FromHours(1), 100);
        for (int i = 1; i <= 500; i++)
        {
            using var batch = backend.BeginBatch();
            batch.PutRecord(new Revision(i, 0), false, new byte[300]);
        }
        await backend.DefragmentAsync(CancellationToken.None);
        int count = 0;
        backend.ScanRecords(new Revision(0, 0), new Revision(long.MaxValue, 0), (_, _, _) => { count++; return true; });
        Assert.Equal(500, count);
    }

    [Fact]
    public void AFailedCommitIsReportedOnceThenWritesAreRefusedAndTheFileKeepsTheLastCommit()
    {
        using (var healthy = Open(TimeSpan.FromHours(1), 1000))
        {
            using (var batch = healthy.BeginBatch())
            {
                batch.PutRecord(new Revision(2, 0), false, [2]);
            }
        }

        bool failing = false;
        var options = EtcdBackend.EtcdBoltOptions with { NoSync = true, CrashBeforeWrite = (_, length) => failing ? 0 : length };
        var failures = new List<Exception>();
        var backend = new BatchedBackend(EtcdBackend.Open(DbPath, options), TimeSpan.FromHours(1), 1000);
        backend.CommitFailed += failures.Add;
        using (var batch = backend.BeginBatch())
        {
            batch.PutRecord(new Revision(3, 0), false, [3]);
        }
        failing = true;
        Assert.ThrowsAny<Exception>(backend.ForceCommit);
        Assert.Single(failures);

        var refused = Assert.Throws<IOException>(() => backend.BeginBatch());
        Assert.Contains("an earlier commit failed", refused.Message);
        // Applied but uncommitted records stay readable until the server stops.
        var seen = new List<long>();
        backend.ScanRecords(new Revision(0, 0), new Revision(10, 0), (rev, _, _) => { seen.Add(rev.Main); return true; });
        Assert.Equal([2L, 3], seen);
        backend.Dispose();
        Assert.Single(failures);

        using var reopened = Open(TimeSpan.FromHours(1), 1000);
        seen.Clear();
        reopened.ScanRecords(new Revision(0, 0), new Revision(10, 0), (rev, _, _) => { seen.Add(rev.Main); return true; });
        Assert.Equal([2L], seen);
    }

    [Fact]
    public async Task DefragmentationWhileAReaderHoldsTheFileAndTheApplierReadsInItsScopeFinishes()
    {
        using var backend = Open(TimeSpan.FromHours(1), 1000);
        using (var batch = backend.BeginBatch())
        {
            batch.PutRecord(new Revision(2, 0), false, [2]);
        }
        backend.ForceCommit();

        var snapshot = backend.OpenSnapshot();
        using var applierInScope = new ManualResetEventSlim();
        using var applierMayRead = new ManualResetEventSlim();
        // The applier (one thread, as the apply loop's scope is thread-affine): a write scope, then
        // a read of committed records inside it, as a put with prev_kv does.
        var applier = Task.Factory.StartNew(() =>
        {
            using var batch = backend.BeginBatch();
            applierInScope.Set();
            Assert.True(applierMayRead.Wait(TimeSpan.FromSeconds(30)));
            byte[]? seen = null;
            backend.ReadRecords([new Revision(2, 0)], (_, kv) => seen = kv.ToArray());
            Assert.Equal([2], seen);
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        Assert.True(applierInScope.Wait(TimeSpan.FromSeconds(30)));
        var defrag = backend.DefragmentAsync(CancellationToken.None);
        applierMayRead.Set();
        await applier.WaitAsync(TimeSpan.FromSeconds(30));
        snapshot.Dispose();
        await defrag.WaitAsync(TimeSpan.FromSeconds(30));
    }

    private BatchedBackend Open(TimeSpan interval, long limit) =>
        new(EtcdBackend.Open(DbPath, EtcdBackend.EtcdBoltOptions with { NoSync = true }), interval, limit);

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
