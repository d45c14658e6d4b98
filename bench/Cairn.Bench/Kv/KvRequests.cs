using Cairn.Protocol.Etcdserverpb;
using Cairn.Server.Grpc.Client;
using Google.Protobuf;

namespace Cairn.Bench.Kv;

/// <summary>The requests of each workload, shaped as etcd's benchmark tool sends them, and what a right answer looks like.</summary>
internal static class KvRequests
{
    /// <summary>etcdserverpb.KV/Put of the key with the workload's value.</summary>
    public static KvRequestSender Put(GrpcChannel channel, KeySpace keys, ByteString value, GrpcCallOptions callOptions) =>
        new KvRequestSender<PutRequest, PutResponse>(channel, KvMethods.Put, keys,
            key => new PutRequest { Key = key, Value = value },
            response => response.Header is { Revision: > 0 } ? null : "put answered without a revision in its header",
            callOptions);

    /// <summary>etcdserverpb.KV/Range of one key the workload has put, linearizable or serializable.</summary>
    public static KvRequestSender Range(GrpcChannel channel, KeySpace keys, bool serializable, GrpcCallOptions callOptions) =>
        new KvRequestSender<RangeRequest, RangeResponse>(channel, KvMethods.Range, keys,
            key => new RangeRequest { Key = key, Serializable = serializable },
            response => response.Kvs.Count == 1 ? null : $"range of a key that was put returned {response.Kvs.Count} keys",
            callOptions);

    /// <summary>etcdserverpb.KV/Txn with no compares and one put in its success branch (etcd's txn-put).</summary>
    public static KvRequestSender TxnPut(GrpcChannel channel, KeySpace keys, ByteString value, GrpcCallOptions callOptions) =>
        new KvRequestSender<TxnRequest, TxnResponse>(channel, KvMethods.Txn, keys,
            key => new TxnRequest { Success = { new RequestOp { RequestPut = new PutRequest { Key = key, Value = value } } } },
            response => response.Succeeded ? null : "a txn without compares answered succeeded=false",
            callOptions);
}
