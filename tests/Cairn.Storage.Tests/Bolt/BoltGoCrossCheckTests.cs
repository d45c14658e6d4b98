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
        var model = new ModelBucket();
        await GoWrites(path, model, seed, 40, noFreelistSync);
        CairnChecksReadsAndExtends(path, model, noFreelistSync, seed + 1000, 20, $"seed {seed}");
        await AssertGoSees(path, model, seed);
    }

    [Theory]
    [InlineData(501, false)]
    [InlineData(502, true)]
    public async Task GoAndCairnTakeTurnsWritingOneFile(int seed, bool noFreelistSync)
    {
        output.WriteLine($"seed {seed}");
        var path = _dir.File("shared.db");
        var model = new ModelBucket();
        for (var turn = 0; turn < 4; turn++)
        {
            await GoWrites(path, model, seed + (turn * 10), 10, noFreelistSync);
            await AssertGoSees(path, model, $"seed {seed}, turn {turn}, after Go wrote");
            CairnChecksReadsAndExtends(path, model, noFreelistSync, seed + (turn * 10) + 5, 10, $"seed {seed}, turn {turn}");
            await AssertGoSees(path, model, $"seed {seed}, turn {turn}, after Cairn wrote");
        }
    }

    /// <summary>Opens a file Go wrote: Check() clean, the model's content, then random transactions applied to file and model.</summary>
    private static void CairnChecksReadsAndExtends(string path, ModelBucket model, bool noFreelistSync, int seed, int transactions, string context)
    {
        using var db = BoltDatabase.Open(path, new BoltOptions { NoSync = true, NoFreelistSync = noFreelistSync });
        var errors = db.Check();
        Assert.True(errors.Count == 0, $"{context}: Cairn's Check: {string.Join("; ", errors)}");
        using (var read = db.BeginRead())
        {
            Assert.True(BoltDump.Of(model).SequenceEqual(BoltDump.Of(read)), $"{context}: Cairn sees other content");
        }
        WriteRandomTransactions(db, model, seed, transactions);
    }

    /// <summary>Has Go's bbolt apply random transactions (some rolled back) to the file; applies the committed ones to the model.</summary>
    private async Task GoWrites(string path, ModelBucket model, int seed, int transactions, bool noFreelistSync)
    {
        var random = new Random(seed);
        var operations = new RandomOperations(seed);
        var script = new StringBuilder();
        var committed = model.Clone();
        for (var t = 0; t < transactions; t++)
        {
            var working = committed.Clone();
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
                committed = working;
            }
        }
        string[] args = noFreelistSync ? ["write", path, "nofreelistsync"] : ["write", path];
        var (code, stdout, stderr) = await go.Program.ExecAsync(args, script.ToString());
        Assert.True(code == 0, $"seed {seed}: boltcheck write failed: {stdout}{stderr}");
        Replace(model, committed);
    }

    [Fact]
    public async Task CairnFreesEveryNestedBucketOfABucketItChangedBeforeDeletingIt()
    {
        // The pattern bbolt 1.3.6 leaks pages on (see rawdelbucket in boltcheck's main.go).
        var path = _dir.File("nested.db");
        using (var db = BoltDatabase.Open(path, new BoltOptions { NoSync = true }))
        {
            db.Update(tx =>
            {
                var parent = tx.CreateBucket("parent"u8);
                for (var b = 0; b < NestedBuckets; b++)
                {
                    var child = parent.CreateBucket(Encoding.ASCII.GetBytes($"child{b}"));
                    for (var k = 0; k < 40; k++)
                    {
                        child.Put(Encoding.ASCII.GetBytes($"key{k:D3}"), new byte[100]);
                    }
                }
            });
            db.Update(tx =>
            {
                tx.Bucket("parent"u8)!.Put("x"u8, "y"u8);
                tx.DeleteBucket("parent"u8);
            });
            Assert.Empty(db.Check());
        }
        await AssertGoSees(path, new ModelBucket(), "nested bucket deletion");
    }

    [Fact]
    public async Task CairnsCheckReportsThePagesBboltLeaksWhenDeletingNestedBuckets()
    {
        var path = _dir.File("leaky.db");
        var script = new StringBuilder("begin\nmkbucket 00\n");
        for (var b = 0; b < NestedBuckets; b++)
        {
            script.AppendLine($"mkbucket 00/{b + 1:x2}");
            for (var k = 0; k < 40; k++)
            {
                script.AppendLine($"put 00/{b + 1:x2} {k + 1:x4} {new string('a', 200)}");
            }
        }
        script.Append("commit\nbegin\nput 00 ff ff\nrawdelbucket 00\ncommit\n");
        var (code, stdout, stderr) = await go.Program.ExecAsync(["write", path], script.ToString());
        Assert.True(code == 0, $"boltcheck write failed: {stdout}{stderr}");

        var (dumpCode, dump, dumpError) = await go.Program.ExecAsync(["dump", path]);
        Assert.True(dumpCode == 0, $"boltcheck dump failed: {dumpError}");
        var goErrors = dump.Split('\n').Where(l => l.StartsWith("check ", StringComparison.Ordinal)).Select(l => l["check ".Length..]).ToList();
        Assert.NotEmpty(goErrors);
        Assert.All(goErrors, e => Assert.EndsWith(": unreachable unfreed", e));
        using var db = BoltDatabase.Open(path, new BoltOptions { NoSync = true, ReadOnly = true });
        Assert.Equal(goErrors, db.Check());
    }

    private const int NestedBuckets = 6;

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

    private Task AssertGoSees(string path, ModelBucket model, int seed) => AssertGoSees(path, model, $"seed {seed}");

    private async Task AssertGoSees(string path, ModelBucket model, string context)
    {
        var (code, stdout, stderr) = await go.Program.ExecAsync(["dump", path]);
        Assert.True(code == 0, $"{context}: boltcheck dump failed: {stderr}");
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var checkErrors = lines.Where(l => l.StartsWith("check ", StringComparison.Ordinal)).ToList();
        Assert.True(checkErrors.Count == 0, $"{context}: bbolt's Check: {string.Join("; ", checkErrors)}");
        var expected = BoltDump.Of(model);
        Assert.True(expected.SequenceEqual(lines), $"{context}: Go sees other content ({lines.Length} lines, expected {expected.Count})");
    }
}
