using Cairn.Protocol.Mvccpb;
using Cairn.Storage.Backend;
using Google.Protobuf;

namespace Cairn.Storage.Tests.Backend;

/// <summary>
/// Just enough of etcd's MVCC to predict the key bucket of a scripted session: revisions start at
/// 1, every change set takes the next main revision and numbers its changes by sub revision,
/// puts carry create/mod revision, version and lease, deletes leave tombstones, and compaction
/// keeps, per key, the newest revision at or below the compaction point unless it is a tombstone.
/// </summary>
public sealed class MvccModel
{
    private readonly Dictionary<string, (long Create, long Version)> _live = new();
    private long _sub;

    public long CurrentRevision { get; private set; } = 1;

    public SortedDictionary<Revision, (bool Tombstone, KeyValue Value)> Records { get; } = new();

    public long? CompactedAt { get; private set; }

    public void Put(string key, string value, long lease = 0) => Change(() => PutInTxn(key, value, lease));

    public void Delete(string key)
    {
        if (_live.ContainsKey(key))
        {
            Change(() => DeleteInTxn(key));
        }
    }

    /// <summary>Several changes in one revision, as a txn does.</summary>
    public void Txn(params (string Op, string Key, string Value)[] ops) => Change(() =>
    {
        foreach (var (op, key, value) in ops)
        {
            if (op == "put")
            {
                PutInTxn(key, value, 0);
            }
            else
            {
                DeleteInTxn(key);
            }
        }
    });

    public void Compact(long revision)
    {
        CompactedAt = revision;
        var newest = new Dictionary<string, Revision>();
        foreach (var (rev, (_, kv)) in Records.Where(r => r.Key.Main <= revision))
        {
            newest[kv.Key.ToStringUtf8()] = rev;
        }
        var keep = newest.Values.Where(r => !Records[r].Tombstone).ToHashSet();
        foreach (var rev in Records.Keys.Where(r => r.Main <= revision && !keep.Contains(r)).ToList())
        {
            Records.Remove(rev);
        }
    }

    /// <summary>The live keys and values, as `etcdctl get "" --prefix` shows them.</summary>
    public SortedDictionary<string, KeyValue> Live()
    {
        var live = new SortedDictionary<string, KeyValue>(StringComparer.Ordinal);
        foreach (var (_, (tombstone, kv)) in Records)
        {
            if (tombstone)
            {
                live.Remove(kv.Key.ToStringUtf8());
            }
            else
            {
                live[kv.Key.ToStringUtf8()] = kv;
            }
        }
        return live;
    }

    private void Change(Action changes)
    {
        _sub = 0;
        CurrentRevision++;
        changes();
    }

    private void PutInTxn(string key, string value, long lease)
    {
        var rev = new Revision(CurrentRevision, _sub++);
        var (create, version) = _live.TryGetValue(key, out var state) ? (state.Create, state.Version + 1) : (rev.Main, 1L);
        _live[key] = (create, version);
        Records[rev] = (false, new KeyValue
        {
            Key = ByteString.CopyFromUtf8(key),
            CreateRevision = create,
            ModRevision = rev.Main,
            Version = version,
            Value = ByteString.CopyFromUtf8(value),
            Lease = lease,
        });
    }

    private void DeleteInTxn(string key)
    {
        var rev = new Revision(CurrentRevision, _sub++);
        _live.Remove(key);
        Records[rev] = (true, new KeyValue { Key = ByteString.CopyFromUtf8(key) });
    }
}
