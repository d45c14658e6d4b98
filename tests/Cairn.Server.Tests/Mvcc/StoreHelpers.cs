using System.Text;
using Cairn.Protocol.Mvccpb;
using Cairn.Server.Mvcc;
using Google.Protobuf;

namespace Cairn.Server.Tests.Mvcc;

/// <summary>Shorthands for driving an <see cref="MvccStore"/> in tests.</summary>
internal static class StoreHelpers
{
    public static readonly MvccStoreOptions FastCompaction = new() { CompactionBatchInterval = TimeSpan.Zero };

    public static ByteString B(string s) => ByteString.CopyFromUtf8(s);

    public static string S(ByteString b) => b.ToStringUtf8();

    public static MvccStore NewStore(InMemoryRevisionBackend? backend = null, IKeyLeases? leases = null, int batchLimit = 1000) =>
        new(backend ?? new InMemoryRevisionBackend(), leases,
            FastCompaction with { CompactionBatchLimit = batchLimit });

    public static long Put(this MvccStore store, string key, string value, long lease = 0)
    {
        using var txn = store.Write();
        return txn.Put(B(key), B(value), lease);
    }

    public static (long Deleted, long Revision) Delete(this MvccStore store, string key, string? end = null)
    {
        using var txn = store.Write();
        return txn.DeleteRange(Range(key, end));
    }

    public static KeyRange Range(string key, string? end = null) => end switch
    {
        null => KeyRange.Single(Encoding.UTF8.GetBytes(key)),
        "\0" => KeyRange.From(Encoding.UTF8.GetBytes(key)),
        _ => KeyRange.Between(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(end)),
    };

    public static RangeResult Get(this MvccStore store, string key, string? end = null, long rev = 0, long limit = 0, bool countOnly = false) =>
        store.Read().Range(Range(key, end), new RangeOptions(limit, rev, countOnly));

    /// <summary>"key=value@create/mod/version", lease appended when set.</summary>
    public static string Describe(KeyValue kv) =>
        $"{S(kv.Key)}={S(kv.Value)}@{kv.CreateRevision}/{kv.ModRevision}/{kv.Version}" + (kv.Lease != 0 ? $" lease {kv.Lease}" : "");

    public static string[] Describe(IEnumerable<KeyValue> kvs) => kvs.Select(Describe).ToArray();
}
