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
