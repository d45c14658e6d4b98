using System.Text;
using Cairn.Storage.Bolt;
using Cairn.Storage.Tests.Bolt.Model;
using Xunit.Abstractions;

namespace Cairn.Storage.Tests.Bolt;

/// <summary>
/// Files written by Cairn are read by Go's bbolt (Debian's go.etcd.io/bbolt, through the boltcheck
/// program): tx.Check() clean and the same buckets, keys and values. Files written by Go's bbolt
/// are read, checked and extended by Cairn, then read by Go again.
/// </summary>
public sealed class BoltGoCrossCheckTests(BoltcheckFixture go, ITestOutputHelper output) : IClassFixture<BoltcheckFixture>, IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(101, false)]
    [InlineData(102, true)]
    public async Task GoReadsWhatCairnWrites(int seed, bool noFreelistSync)
    {
        output.WriteLine($"seed {seed}");
        var path = _dir.File("cairn.db");
        var model = new ModelBucket();
        using (var db = BoltDatabase.Open(path, new BoltOptions { NoSync = true, NoFreelistSync = noFreelistSync }))
        {
            WriteRandomTransactions(db, model, seed, 40);
        }
        await AssertGoSees(path, model, seed);
    }

    [Theory]
    [InlineData(201, false)]
    [InlineData(202, true)]
    public async Task CairnReadsAndExtendsWhatGoWrites(int seed, bool noFreelistSync)
    {
        output.WriteLine($"seed {seed}");
        var path = _dir.File("go.db");
        var random = new Random(seed);
        var operations = new RandomOperations(seed);
        var model = new ModelBucket();
        var script = new StringBuilder();
        for (var t = 0; t < 40; t++)
        {
            var working = model.Clone();
            script.AppendLine("begin");
            var count = 1 + random.Next(random.Next(4) == 0 ? 400 : 40);
            for (var i = 0; i < count; i++)
            {
                var op = operations.Next(working);
                op.ApplyTo(working);
                script.AppendLine(op.ToScriptLine());
            }
            if (random.Next(8) == 0)
            {
                script.AppendLine("rollback");
            }
            else
            {
                script.AppendLine("commit");
                model = working;
            }
        }
        string[] args = noFreelistSync ? ["write", path, "nofreelistsync"] : ["write", path];
        var (code, stdout, stderr) = await go.Program.ExecAsync(args, script.ToString());
        Assert.True(code == 0, $"boltcheck write failed: {stdout}{stderr}");

        using (var db = BoltDatabase.Open(path, new BoltOptions { NoSync = true, NoFreelistSync = noFreelistSync }))
        {
            Assert.Empty(db.Check());
            using (var read = db.BeginRead())
            {
                Assert.Equal(BoltDump.Of(model), BoltDump.Of(read));
            }
            WriteRandomTransactions(db, model, seed + 1000, 20);
        }
        await AssertGoSees(path, model, seed);
    }

    [Fact]
    public async Task GoReadsASnapshotCopyAndACompactedCopy()
    {
        var path = _dir.File("source.db");
        var model = new ModelBucket();
        using var db = BoltDatabase.Open(path, new BoltOptions { NoSync = true });
        WriteRandomTransactions(db, model, 301, 30);

        var copy = _dir.File("copy.db");
        using (var read = db.BeginRead())
        using (var file = File.Create(copy))
        {
            var written = read.WriteTo(file);
            Assert.Equal(read.Size, written);
        }
        await AssertGoSees(copy, model, 301);

        var compacted = _dir.File("compacted.db");
        db.CompactTo(compacted, maxTransactionBytes: 64 * 1024);
        await AssertGoSees(compacted, model, 301);
        Assert.True(new FileInfo(compacted).Length <= new FileInfo(path).Length);
    }

    [Fact]
    public async Task GoCannotOpenAFileCairnHasOpenForWriting()
    {
        var path = _dir.File("locked.db");
        var model = new ModelBucket();
        using (var db = BoltDatabase.Open(path, new BoltOptions { NoSync = true }))
        {
            WriteRandomTransactions(db, model, 401, 3);
            var (code, _, stderr) = await go.Program.ExecAsync(["dump", path]);
            Assert.NotEqual(0, code);
            Assert.Contains("timeout", stderr);
        }
        await AssertGoSees(path, model, 401);
    }

    private static void WriteRandomTransactions(BoltDatabase db, ModelBucket model, int seed, int transactions)
    {
        var random = new Random(seed);
        var operations = new RandomOperations(seed);
        for (var t = 0; t < transactions; t++)
        {
            using var tx = db.BeginWrite();
            var working = model.Clone();
            var count = 1 + random.Next(random.Next(4) == 0 ? 400 : 40);
            for (var i = 0; i < count; i++)
            {
                var op = operations.Next(working);
                op.ApplyTo(working);
                op.ApplyTo(tx);
            }
            tx.Commit();
            Replace(model, working);
        }
    }

    private static void Replace(ModelBucket model, ModelBucket with)
    {
        model.Values.Clear();
        model.Buckets.Clear();
        foreach (var (k, v) in with.Values)
        {
            model.Values[k] = v;
        }
        foreach (var (k, b) in with.Buckets)
        {
            model.Buckets[k] = b;
        }
    }

    private async Task AssertGoSees(string path, ModelBucket model, int seed)
    {
        var (code, stdout, stderr) = await go.Program.ExecAsync(["dump", path]);
        Assert.True(code == 0, $"seed {seed}: boltcheck dump failed: {stderr}");
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var checkErrors = lines.Where(l => l.StartsWith("check ", StringComparison.Ordinal)).ToList();
        Assert.True(checkErrors.Count == 0, $"seed {seed}: bbolt's Check: {string.Join("; ", checkErrors)}");
        var expected = BoltDump.Of(model);
        Assert.True(expected.SequenceEqual(lines), $"seed {seed}: Go sees other content ({lines.Length} lines, expected {expected.Count})");
    }
}
