using Cairn.Storage.Bolt;
using Cairn.Storage.Tests.Bolt.Model;

namespace Cairn.Storage.Tests.Bolt.Crash;

/// <summary>
/// A child process that commits deterministic transactions to a database until it is killed,
/// printing "committed N" after each commit returns. Transaction N's changes depend only on the
/// seed, N and the content before it, so the parent can replay them on its model. The number of
/// the last commit is kept in a reserved bucket, updated in the same transaction.
/// </summary>
public static class CrashingWriter
{
    public const string Mode = "bolt-crash-writer";

    private static readonly byte[] MarkerBucket = "~crash"u8.ToArray();
    private static readonly byte[] MarkerKey = "txn"u8.ToArray();

    public static int Run(string[] args)
    {
        var path = args[0];
        var seed = int.Parse(args[1]);
        using var db = BoltDatabase.Open(path);
        ModelBucket model;
        using (var read = db.BeginRead())
        {
            model = BoltDump.Parse(BoltDump.Of(read));
        }
        for (var txn = LastCommitted(model) + 1; txn < 1_000_000; txn++)
        {
            using (var tx = db.BeginWrite())
            {
                foreach (var op in Transaction(model, seed, txn))
                {
                    op.ApplyTo(model);
                    op.ApplyTo(tx);
                }
                tx.Commit();
            }
            Console.Out.WriteLine($"committed {txn}");
            Console.Out.Flush();
        }
        return 0;
    }

    /// <summary>The operations of transaction <paramref name="txn"/> given the content before it (not applied).</summary>
    public static List<BoltOperation> Transaction(ModelBucket before, int seed, long txn)
    {
        var model = before.Clone();
        var random = new Random(unchecked((seed * 1_000_003) + (int)txn));
        var operations = new RandomOperations(random.Next(), MarkerBucket);
        var ops = new List<BoltOperation>();
        var count = 1 + random.Next(random.Next(5) == 0 ? 500 : 50);
        for (var i = 0; i < count; i++)
        {
            var op = operations.Next(model);
            op.ApplyTo(model);
            ops.Add(op);
        }
        if (!model.Buckets.ContainsKey(MarkerBucket))
        {
            ops.Add(new BoltOperation(BoltOperationKind.CreateBucket, [], MarkerBucket, [], 0));
        }
        ops.Add(new BoltOperation(BoltOperationKind.Put, [MarkerBucket], MarkerKey, BitConverter.GetBytes(txn), 0));
        return ops;
    }

    public static long LastCommitted(ModelBucket model) =>
        model.Buckets.TryGetValue(MarkerBucket, out var marker) && marker.Values.TryGetValue(MarkerKey, out var v)
            ? BitConverter.ToInt64(v)
            : 0;
}
