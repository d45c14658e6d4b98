using Cairn.Protocol.Etcdserverpb;
using Google.Protobuf;

namespace Cairn.Bench.Kv;

/// <summary>The requests of each workload, shaped as etcd's benchmark tool sends them, and what a right answer looks like.</summary>
internal static class KvRequests
{
    /// <summary>etcdserverpb.KV/Put of the key with the workload's value.</summary>
    public static KvRequestSender Put(IKvClient client, KeySpace keys, ByteString value) =>
        client.Sender(KvMethods.Put, keys,
            key => new PutRequest { Key = key, Value = value },
            response => response.Header is { Revision: > 0 } ? null : "put answered without a revision in its header");

    /// <summary>etcdserverpb.KV/Range of one key the workload has put, linearizable or serializable.</summary>
    public static KvRequestSender Range(IKvClient client, KeySpace keys, bool serializable) =>
        client.Sender(KvMethods.Range, keys,
            key => new RangeRequest { Key = key, Serializable = serializable },
            response => response.Kvs.Count == 1 ? null : $"range of a key that was put returned {response.Kvs.Count} keys");

    /// <summary>etcdserverpb.KV/Txn with no compares and one put in its success branch (etcd's txn-put).</summary>
    public static KvRequestSender TxnPut(IKvClient client, KeySpace keys, ByteString value) =>
        client.Sender(KvMethods.Txn, keys,
            key => new TxnRequest { Success = { new RequestOp { RequestPut = new PutRequest { Key = key, Value = value } } } },
            response => response.Succeeded ? null : "a txn without compares answered succeeded=false");
}
