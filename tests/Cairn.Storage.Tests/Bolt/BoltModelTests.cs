using Cairn.Storage.Bolt;
using Cairn.Storage.Tests.Bolt.Model;
using Xunit.Abstractions;

namespace Cairn.Storage.Tests.Bolt;

/// <summary>
/// Random puts, deletes and bucket operations across many transactions (some rolled back, the file
/// reopened now and then), compared after every commit with an in-memory sorted map, with Check()
/// after every commit. A failure names its seed; rerun that InlineData to reproduce it.
/// </summary>
public sealed class BoltModelTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(1, false)]
    [InlineData(2, true)]
    [InlineData(3, false)]
    [InlineData(4, true)]
    [InlineData(5, false)]
    public void RandomTransactionsMatchTheModel(int seed, bool noFreelistSync)
    {
        output.WriteLine($"seed {seed}, NoFreelistSync {noFreelistSync}");
        var options = new BoltOptions { NoSync = true, NoFreelistSync = noFreelistSync };
        var path = _dir.File($"model-{seed}.db");
        var random = new Random(seed);
        var operations = new RandomOperations(seed);
        var committed = new ModelBucket();
        var db = BoltDatabase.Open(path, options);
        try
        {
            for (var t = 0; t < 80; t++)
            {
                var working = committed.Clone();
                var count = 1 + random.Next(random.Next(4) == 0 ? 600 : 60);
                var tx = db.BeginWrite();
                for (var i = 0; i < count; i++)
                {
                    var op = operations.Next(working);
                    op.ApplyTo(working);
                    op.ApplyTo(tx);
                }
                if (random.Next(5) == 0)
                {
                    // A writer reads its own changes.
                    Assert.True(BoltDump.Of(working).SequenceEqual(BoltDump.Of(tx)), $"seed {seed}, tx {t}: uncommitted view differs");
                }
                if (random.Next(8) == 0)
                {
                    tx.Rollback();
                }
                else
                {
                    tx.Commit();
                    committed = working;
                }
                var errors = db.Check();
                Assert.True(errors.Count == 0, $"seed {seed}, tx {t}: Check: {string.Join("; ", errors)}");
                using (var read = db.BeginRead())
                {
                    var expected = BoltDump.Of(committed);
                    var actual = BoltDump.Of(read);
                    Assert.True(expected.SequenceEqual(actual), $"seed {seed}, tx {t}: content differs from the model ({expected.Count} vs {actual.Count} lines)");
                }
                if (random.Next(10) == 0)
                {
                    db.Dispose();
                    db = BoltDatabase.Open(path, options);
                }
            }
        }
        finally
        {
            db.Dispose();
        }
    }
}
