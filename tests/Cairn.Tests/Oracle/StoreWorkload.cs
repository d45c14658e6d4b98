using System.Text;
using Cairn.Tests.Processes;

namespace Cairn.Tests.Oracle;

/// <summary>
/// A fixed history written through etcdctl, in two parts so that a data dir can change hands between them: puts,
/// overwrites, deletes, transactions of many kilobyte values (enough pages for a multi-level B+tree), a compaction.
/// The revisions it reaches are the same on every server that implements etcd's MVCC.
/// </summary>
public static class StoreWorkload
{
    /// <summary>Revision compacted by part one; history after it stays readable.</summary>
    public const long FirstCompaction = 4;

    /// <summary>Revision compacted by part two.</summary>
    public const long SecondCompaction = 12;

    public static async Task WriteFirstPartAsync(Etcdctl etcdctl)
    {
        await RunAsync(etcdctl, "put", "a", "1");                       // 2
        await RunAsync(etcdctl, "put", "b", "2");                       // 3
        await RunAsync(etcdctl, "put", "a", "3");                       // 4
        await RunAsync(etcdctl, "del", "b");                            // 5
        await RunTxnAsync(etcdctl, "", Puts("bulk/", 0, 100, 1000));    // 6
        await RunAsync(etcdctl, "put", "c", "");                        // 7
        await RunAsync(etcdctl, "compaction", FirstCompaction.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await RunTxnAsync(etcdctl, "value(\"a\") = \"3\"", Puts("bulk/", 50, 150, 700) + "del bulk/00 bulk/05\n"); // 8
        await RunAsync(etcdctl, "put", "a", "4");                       // 9
    }

    public static async Task WriteSecondPartAsync(Etcdctl etcdctl)
    {
        await RunAsync(etcdctl, "put", "d", "5");                       // 10
        await RunAsync(etcdctl, "del", "bulk/1", "--prefix");           // 11
        await RunTxnAsync(etcdctl, "", Puts("more/", 0, 60, 2000));     // 12
        await RunAsync(etcdctl, "put", "a", "6");                       // 13
        await RunAsync(etcdctl, "compaction", SecondCompaction.ToString(System.Globalization.CultureInfo.InvariantCulture), "--physical");
        await RunAsync(etcdctl, "put", "b", "7");                       // 14
    }

    private static string Puts(string prefix, int from, int to, int valueLength)
    {
        var ops = new StringBuilder();
        for (var i = from; i < to; i++)
        {
            ops.Append($"put {prefix}{i:D3} {(char)('a' + (i % 26))}{new string('v', valueLength)}\n");
        }

        return ops.ToString();
    }

    private static async Task RunTxnAsync(Etcdctl etcdctl, string compare, string successOps)
    {
        var stdin = (compare.Length == 0 ? "\n" : compare + "\n\n") + successOps + "\n\n";
        var result = await etcdctl.RunAsync(["txn", "--interactive=false"], stdin);
        if (!result.Succeeded || !result.Stdout.StartsWith("SUCCESS", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"workload txn failed against {etcdctl.Endpoints}: {result}");
        }
    }

    private static Task RunAsync(Etcdctl etcdctl, params string[] args) => etcdctl.OutputAsync(args);
}
