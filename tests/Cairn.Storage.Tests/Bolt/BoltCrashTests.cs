using Cairn.Storage.Bolt;
using Cairn.Storage.Tests.Bolt.Crash;
using Cairn.Storage.Tests.Bolt.Model;
using Xunit.Abstractions;

namespace Cairn.Storage.Tests.Bolt;

/// <summary>
/// A crash at any point of a commit leaves the last committed state: a simulated crash at every
/// write of a commit (nothing, part or all of that write reaching the file), a torn meta page, and
/// a real writer process killed at random moments.
/// </summary>
public sealed class BoltCrashTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static ModelBucket Commit(BoltDatabase db, ModelBucket model, int seed, long txn)
    {
        var next = model.Clone();
        using var tx = db.BeginWrite();
        foreach (var op in CrashingWriter.Transaction(model, seed, txn))
        {
            op.ApplyTo(next);
            op.ApplyTo(tx);
        }
        tx.Commit();
        return next;
    }

    private static void AssertContent(BoltDatabase db, ModelBucket expected, string context)
    {
        var errors = db.Check();
        Assert.True(errors.Count == 0, $"{context}: Check: {string.Join("; ", errors)}");
        using var read = db.BeginRead();
        Assert.True(BoltDump.Of(expected).SequenceEqual(BoltDump.Of(read)), $"{context}: content is not the last committed state");
    }

    [Theory]
    [InlineData(31, false)]
    [InlineData(32, true)]
    public void ACrashAtAnyWriteOfACommitLeavesThePreviousCommit(int seed, bool noFreelistSync)
    {
        output.WriteLine($"seed {seed}");
        var path = _dir.File("db");
        var options = new BoltOptions { NoFreelistSync = noFreelistSync, NoSync = true };
        var model = new ModelBucket();
        using (var db = BoltDatabase.Open(path, options))
        {
            for (var t = 1; t <= 20; t++)
            {
                model = Commit(db, model, seed, t);
            }
        }
        var before = File.ReadAllBytes(path);

        var writes = 0;
        ModelBucket after;
        using (var db = BoltDatabase.Open(path, options with { CrashBeforeWrite = (_, length) => { writes++; return length; } }))
        {
            after = Commit(db, model, seed, 21);
        }
        Assert.True(writes >= 2, "a commit writes pages and a meta page");

        var crashes = 0;
        for (var w = 0; w < writes; w++)
        {
            foreach (var part in new[] { 0, 16, 2048 })
            {
                File.WriteAllBytes(path, before);
                var n = 0;
                var at = w;
                var crashing = options with { CrashBeforeWrite = (_, length) => n++ == at ? Math.Min(part, length - 1) : length };
                using (var db = BoltDatabase.Open(path, crashing))
                {
                    var e = Assert.Throws<BoltException>(() => Commit(db, model, seed, 21));
                    Assert.Equal(BoltErrorCode.Io, e.Code);
                }
                crashes++;
                // The meta page is the last write: once its 80 bytes (header and meta) are in the file the commit happened.
                var committed = w == writes - 1 && part >= 80;
                using (var db = BoltDatabase.Open(path, options))
                {
                    AssertContent(db, committed ? after : model, $"crash at write {w} after {part} bytes");
                    if (committed)
                    {
                        continue;
                    }
                    // The crashed commit's pages are free again: the next commit works.
                    var again = Commit(db, model, seed, 21);
                    AssertContent(db, again, $"recommit after crash at write {w}");
                    Assert.True(BoltDump.Of(after).SequenceEqual(BoltDump.Of(again)));
                }
            }
        }
        output.WriteLine($"{crashes} simulated crashes over {writes} writes");
    }

    [Fact]
    public void ATornMetaPageFallsBackToTheOtherMetaAndTwoAreRefused()
    {
        var path = _dir.File("db");
        var model = new ModelBucket();
        ModelBucket previous;
        ulong lastTxid;
        using (var db = BoltDatabase.Open(path, new BoltOptions { NoSync = true }))
        {
            for (var t = 1; t <= 5; t++)
            {
                model = Commit(db, model, 41, t);
            }
            previous = model;
            model = Commit(db, model, 41, 6);
            using var tx = db.BeginRead();
            lastTxid = tx.Id;
        }
        var newestMeta = (long)(lastTxid % 2) * 4096;
        using (var f = new FileStream(path, FileMode.Open, FileAccess.ReadWrite))
        {
            f.Position = newestMeta + 16 + 40; // the meta's pgid field: checksum no longer matches
            f.WriteByte(0xFF);
        }
        using (var db = BoltDatabase.Open(path, new BoltOptions { NoSync = true }))
        {
            AssertContent(db, previous, "newest meta torn");
            using var tx = db.BeginRead();
            Assert.Equal(lastTxid - 1, tx.Id);
        }
        using (var f = new FileStream(path, FileMode.Open, FileAccess.ReadWrite))
        {
            f.Position = (4096 - newestMeta) + 16 + 40;
            f.WriteByte(0xFF);
        }
        var e = Assert.Throws<BoltException>(() => BoltDatabase.Open(path));
        Assert.Equal(BoltErrorCode.Checksum, e.Code);
        Assert.Contains(path, e.Message);
        Assert.Contains("meta page 0", e.Message);
        Assert.Contains("meta page 1", e.Message);
    }

    [Fact]
    public async Task AKilledWriterProcessAlwaysLeavesTheLastCommittedState()
    {
        const int seed = 51;
        output.WriteLine($"seed {seed}");
        var random = new Random(seed);
        var path = _dir.File("db");
        var model = new ModelBucket();
        long committed = 0;
        for (var cycle = 0; cycle < 6; cycle++)
        {
            using var child = ChildProcessEntry.Start(CrashingWriter.Mode, path, seed.ToString());
            var firstCommit = new TaskCompletionSource();
            long reported = committed;
            var reader = Task.Run(async () =>
            {
                while (await child.StandardOutput.ReadLineAsync() is { } line)
                {
                    if (line.StartsWith("committed ", StringComparison.Ordinal))
                    {
                        Interlocked.Exchange(ref reported, long.Parse(line["committed ".Length..]));
                        firstCommit.TrySetResult();
                    }
                }
            });
            var stderr = child.StandardError.ReadToEndAsync();
            await firstCommit.Task.WaitAsync(TimeSpan.FromMinutes(2));
            // The kill point: a random moment while the writer is committing transaction after transaction.
            await Task.Delay(random.Next(0, 60));
            child.Kill(entireProcessTree: true);
            await child.WaitForExitAsync();
            await reader;
            var errors = await stderr;
            Assert.True(errors.Length == 0, $"writer failed before the kill: {errors}");

            using var db = BoltDatabase.Open(path);
            ModelBucket onDisk;
            using (var read = db.BeginRead())
            {
                onDisk = BoltDump.Parse(BoltDump.Of(read));
            }
            var last = CrashingWriter.LastCommitted(onDisk);
            var lastReported = Interlocked.Read(ref reported);
            output.WriteLine($"cycle {cycle}: reported {lastReported}, on disk {last}");
            Assert.InRange(last, lastReported, lastReported + 1);
            for (var t = committed + 1; t <= last; t++)
            {
                var next = model.Clone();
                foreach (var op in CrashingWriter.Transaction(model, seed, t))
                {
                    op.ApplyTo(next);
                }
                model = next;
            }
            AssertContent(db, model, $"cycle {cycle}, transaction {last}");
            committed = last;
        }
    }
}
