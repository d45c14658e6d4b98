using Cairn.Server.Grpc;
using System.Text.Json.Nodes;
using Cairn.Protocol.Etcdserverpb;
using Cairn.Server.Api.Validation;
using Cairn.Server.Apply;
using Cairn.Server.Errors;
using Cairn.Server.Mvcc;
using Google.Protobuf;
using Xunit.Abstractions;

namespace Cairn.Server.Tests.Apply.Oracle;

/// <summary>
/// The oracle test: one scripted session of KV requests run against a real etcd 3.4.23 (with
/// etcdctl -w json, and through its JSON gateway for what etcdctl cannot send) and through
/// Cairn's validation + applier on an in-memory store; every answer must be the same after
/// dropping the header fields only a server fills (cluster, member, term).
/// </summary>
public class EtcdOracleTests(ITestOutputHelper output)
{
    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default.WithPreserveProtoFieldNames(true));
    private static readonly JsonParser Parser = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(true));

    /// <summary>A step of the session: etcdctl arguments (+ txn input), or a request for the gateway.</summary>
    private sealed record Step(string Label, Func<MvccStore, string[]>? Etcdctl = null, string? Stdin = null, InternalRaftRequest? Gateway = null);

    private static Step E(params string[] args) => new(string.Join(' ', args), _ => args);

    private static Step Txn(string label, string stdin) => new($"txn: {label}", _ => ["txn"], stdin);

    private static Step G(string label, InternalRaftRequest request) => new($"gateway: {label}", Gateway: request);

    private static ByteString B(string s) => ByteString.CopyFromUtf8(s);

    private static RequestOp Put(string k, string v) => new() { RequestPut = new PutRequest { Key = B(k), Value = B(v) } };

    private static RequestOp Del(string k, string end = "") => new() { RequestDeleteRange = new DeleteRangeRequest { Key = B(k), RangeEnd = B(end) } };

    private static IEnumerable<Step> Session()
    {
        yield return E("put", "foo", "bar");
        yield return E("put", "foo", "baz", "--prev-kv");
        yield return E("put", "foo2", "x");
        yield return E("get", "foo");
        yield return E("get", "foo", "--prefix");
        yield return E("get", "", "--from-key");
        yield return E("get", "", "--prefix", "--keys-only");
        yield return E("put", "a", "1");
        yield return E("put", "b", "2");
        yield return E("put", "c", "3");
        yield return E("put", "ab", "4");
        yield return E("put", "b", "5");
        yield return E("get", "a", "--prefix", "--limit=1");
        yield return E("get", "a", "z", "--limit=2");
        yield return E("get", "a", "z", "--limit=4");
        yield return E("get", "a", "z", "--sort-by=VALUE", "--order=DESCEND");
        yield return E("get", "a", "z", "--sort-by=MODIFY");
        yield return E("get", "a", "z", "--sort-by=CREATE", "--order=DESCEND", "--limit=2");
        yield return E("get", "a", "z", "--sort-by=VERSION", "--order=DESCEND", "--limit=3");
        yield return E("get", "a", "z", "--sort-by=VERSION", "--order=ASCEND");
        yield return E("get", "a", "z", "--sort-by=VALUE", "--limit=1");
        yield return E("get", "a", "z", "--order=DESCEND");
        yield return E("get", "a", "z", "--order=ASCEND", "--limit=1");
        yield return E("get", "a", "z", "--sort-by=KEY", "--order=DESCEND", "--limit=2");
        yield return E("get", "a", "--rev=3");
        yield return E("get", "a", "--prefix", "--rev=8");
        yield return E("get", "foo", "--rev=999");
        yield return E("get", "a", "--prefix", "--consistency=s");
        yield return E("del", "ab", "--prev-kv");
        yield return E("del", "nothing");
        yield return E("del", "a", "c", "--prev-kv");
        yield return E("put", "x", "--ignore-value");
        yield return E("put", "foo", "--ignore-value", "--prev-kv");
        yield return E("put", "foo", "newval", "--ignore-lease");
        yield return E("put", "foo", "v", "--lease=1234");
        yield return E("put", "foo", "v", "--ignore-lease", "--lease=1");
        yield return Txn("value compare succeeds", "value(\"foo\") = \"newval\"\n\nput t1 1\nget foo\n\nput t2 2\n\n");
        yield return Txn("mod and version compares fail", "mod(\"foo\") > \"100\"\nver(\"foo\") = \"4\"\n\nput t3 3\n\ndel foo2 --prev-kv\nget t --prefix\n\n");
        yield return Txn("read only", "\nget foo\nget t --prefix\n\n\n");
        yield return Txn("missing key has create 0", "create(\"missing\") = \"0\"\n\nget foo\n\n\n");
        yield return Txn("missing key never equals a value", "value(\"missing\") = \"\"\n\nput no 1\n\nput yes 1\n\n");
        yield return Txn("writes then reads its own writes", "version(\"foo\") != \"0\"\nc(\"foo\") < \"1000\"\n\ndel t1\nput t4 4\nget t --prefix\n\n\n");
        yield return Txn("delete of nothing then put", "\ndel zzz\nput t5 5\n\n\n");
        yield return Txn("one key put twice", "\nput d 1\nput d 2\n\n\n");
        yield return Txn("one key put and deleted", "\nput e 1\ndel e\n\n\n");
        yield return Txn("ignore-value on a missing key", "\nput f --ignore-value\n\n\n");
        yield return E("compact", "5");
        yield return E("get", "a", "--rev=4");
        yield return E("get", "foo", "--rev=5");
        yield return E("compact", "3");
        yield return E("compact", "999");
        yield return G("count only", new InternalRaftRequest { Range = new RangeRequest { Key = B("a"), RangeEnd = B("z"), CountOnly = true, Limit = 1 } });
        yield return G("min mod revision", new InternalRaftRequest { Range = new RangeRequest { Key = B("a"), RangeEnd = B("z"), MinModRevision = 12 } });
        yield return G("max create revision with limit", new InternalRaftRequest { Range = new RangeRequest { Key = B("a"), RangeEnd = B("z"), MaxCreateRevision = 10, Limit = 1 } });
        yield return G("min create and max mod", new InternalRaftRequest { Range = new RangeRequest { Key = B("\0"), RangeEnd = B("\0"), MinCreateRevision = 3, MaxModRevision = 14 } });
        yield return G("version sort without order, limit 2", new InternalRaftRequest { Range = new RangeRequest { Key = B("a"), RangeEnd = B("z"), SortTarget = RangeRequest.Types.SortTarget.Version, Limit = 2 } });
        yield return G("compare with a range end", new InternalRaftRequest
        {
            Txn = new TxnRequest
            {
                Compare = { new Compare { Key = B("t"), RangeEnd = B("u"), Target = Compare.Types.CompareTarget.Version, Result = Compare.Types.CompareResult.Greater, Version = 0 } },
                Success = { new RequestOp { RequestRange = new RangeRequest { Key = B("t"), RangeEnd = B("u") } } },
            },
        });
        yield return G("compare on lease", new InternalRaftRequest
        {
            Txn = new TxnRequest
            {
                Compare = { new Compare { Key = B("foo"), Target = Compare.Types.CompareTarget.Lease, Result = Compare.Types.CompareResult.Equal, Lease = 0 } },
                Success = { Put("leased", "no") },
            },
        });
        yield return G("nested transactions", new InternalRaftRequest
        {
            Txn = new TxnRequest
            {
                Success =
                {
                    Put("n1", "1"),
                    new RequestOp
                    {
                        RequestTxn = new TxnRequest
                        {
                            Compare = { new Compare { Key = B("n1"), Target = Compare.Types.CompareTarget.Version, Result = Compare.Types.CompareResult.Equal, Version = 0 } },
                            Success = { Put("n2", "saw n1 missing"), new RequestOp { RequestRange = new RangeRequest { Key = B("n"), RangeEnd = B("o") } } },
                            Failure = { Put("n2", "saw n1") },
                        },
                    },
                    Del("foo2"),
                },
            },
        });
        yield return G("nested put of a key put outside", new InternalRaftRequest
        {
            Txn = new TxnRequest { Success = { Put("n3", "1"), new RequestOp { RequestTxn = new TxnRequest { Failure = { Put("n3", "2") } } } } },
        });
        yield return G("nested put then later nested delete of it", new InternalRaftRequest
        {
            Txn = new TxnRequest
            {
                Success =
                {
                    new RequestOp { RequestTxn = new TxnRequest { Success = { Put("n4", "1") } } },
                    new RequestOp { RequestTxn = new TxnRequest { Success = { Del("n4") } } },
                },
            },
        });
        yield return G("from-key delete then put", new InternalRaftRequest { Txn = new TxnRequest { Success = { Del("y", "\0"), Put("yy", "1") } } });
        yield return G("empty key", new InternalRaftRequest { Put = new PutRequest { Value = B("v") } });
        yield return G("ignore value with a value", new InternalRaftRequest { Put = new PutRequest { Key = B("foo"), Value = B("v"), IgnoreValue = true } });
        yield return G("range of an empty key", new InternalRaftRequest { Range = new RangeRequest { RangeEnd = B("z") } });
        yield return G("empty operation", new InternalRaftRequest { Txn = new TxnRequest { Success = { new RequestOp() } } });
        var tooMany = new TxnRequest();
        tooMany.Success.AddRange(Enumerable.Range(0, KvRequestChecks.DefaultMaxTxnOps + 1).Select(i => Put($"many{i}", "v")));
        yield return G("too many operations", new InternalRaftRequest { Txn = tooMany });
        yield return new Step("compact at the current revision, physically", store => ["compact", $"{store.CurrentRevision}", "--physical"]);
        yield return E("get", "", "--prefix");
        yield return E("del", "", "--prefix", "--prev-kv");
        yield return E("get", "", "--from-key");
        yield return E("put", "foo", "again");
        yield return E("get", "foo");
    }

    [Fact]
    public async Task A_scripted_session_gets_the_same_answers_from_cairn_and_etcd()
    {
        await using var etcd = await EtcdProcess.StartAsync();
        using var store = new MvccStore(new InMemoryRevisionBackend(), options: new MvccStoreOptions { CompactionBatchInterval = TimeSpan.Zero });
        var applier = new KvApplier(store);
        var differences = new List<string>();
        int steps = 0;

        foreach (var step in Session())
        {
            steps++;
            string[]? args = step.Etcdctl?.Invoke(store);
            var request = args is not null ? EtcdctlRequests.Parse(args, step.Stdin) : step.Gateway!;
            var (cairnResponse, cairnError) = await CairnAsync(applier, request);
            var (etcdResponse, etcdError) = args is not null
                ? await EtcdctlAsync(etcd, args, step.Stdin, request)
                : await GatewayAsync(etcd, request);

            string mine = cairnError is not null ? $"error {cairnError}" : $"{cairnResponse}";
            string theirs = etcdError is not null ? $"error {etcdError}" : $"{etcdResponse}";
            bool same = etcdError is not null
                ? cairnError is not null && etcdError.Message == cairnError.Message &&
                    (etcdError.Code == GrpcStatusCode.Unknown || etcdError.Code == cairnError.Code)
                : cairnError is null && (etcdResponse is null || Equals(etcdResponse, cairnResponse));
            output.WriteLine($"{(same ? "same" : "DIFF")}  {step.Label}\n      etcd:  {theirs}" + (same ? "" : $"\n      cairn: {mine}"));
            if (!same)
            {
                differences.Add($"{step.Label}\n  etcd:  {theirs}\n  cairn: {mine}");
            }
        }
        output.WriteLine($"{steps} steps, {differences.Count} differences");
        Assert.True(differences.Count == 0, string.Join("\n", differences));
    }

    /// <summary>Cairn's path for a request: the API's checks, then the applier.</summary>
    private static async Task<(IMessage? Response, EtcdError? Error)> CairnAsync(KvApplier applier, InternalRaftRequest request)
    {
        var invalid = request switch
        {
            { Range: { } r } => KvRequestChecks.CheckRange(r),
            { Put: { } p } => KvRequestChecks.CheckPut(p),
            { DeleteRange: { } d } => KvRequestChecks.CheckDeleteRange(d),
            { Txn: { } t } => KvRequestChecks.CheckTxn(t, KvRequestChecks.DefaultMaxTxnOps),
            _ => null,
        };
        if (invalid is not null)
        {
            return (null, invalid);
        }
        var result = applier.Apply(request)!;
        if (request.Compaction is { Physical: true } && result.PhysicalCompaction is { } physical)
        {
            await physical;
        }
        return (result.Response, result.Error);
    }

    private static async Task<(IMessage? Response, EtcdError? Error)> EtcdctlAsync(EtcdProcess etcd, string[] args, string? stdin, InternalRaftRequest request)
    {
        var (exitCode, stdout, stderr) = await etcd.EtcdctlAsync(args, stdin);
        if (exitCode != 0)
        {
            // etcdctl prints "Error: <the server's message>" and does not show the code.
            var line = stderr.Split('\n').LastOrDefault(l => l.StartsWith("Error: ", StringComparison.Ordinal))
                ?? throw new InvalidOperationException($"etcdctl {string.Join(' ', args)} failed without an error line:\n{stderr}");
            return (null, EtcdError.Unknown(line["Error: ".Length..].Trim()));
        }
        if (request.Compaction is { } compaction)
        {
            // etcdctl prints a sentence, not the response: only success can be compared.
            Assert.Equal($"compacted revision {compaction.Revision}", stdout.Trim());
            return (null, null);
        }
        return (ParseResponse(request, FromEtcdctlTxnShape(JsonNode.Parse(stdout)!)), null);
    }

    private static async Task<(IMessage? Response, EtcdError? Error)> GatewayAsync(EtcdProcess etcd, InternalRaftRequest request)
    {
        var (method, body) = request switch
        {
            { Range: { } r } => ("kv/range", (IMessage)r),
            { Put: { } p } => ("kv/put", p),
            { DeleteRange: { } d } => ("kv/deleterange", d),
            { Txn: { } t } => ("kv/txn", t),
            _ => throw new ArgumentException("no gateway method for this request"),
        };
        var json = JsonNode.Parse(await etcd.GatewayAsync(method, Formatter.Format(body)))!;
        if (json["error"] is { } error)
        {
            return (null, new EtcdErrorOf((GrpcStatusCode)(int)json["code"]!, (string)error!).Error);
        }
        return (ParseResponse(request, json), null);
    }

    private sealed class EtcdErrorOf(GrpcStatusCode code, string message)
    {
        public EtcdError Error { get; } = EtcdErrors.FindByMessage(message) is { } known && known.Code == code ? known : EtcdError.Unknown($"{code}: {message}");
    }

    private static IMessage ParseResponse(InternalRaftRequest request, JsonNode json)
    {
        DropServerHeaderFields(json);
        string text = json.ToJsonString();
        return request switch
        {
            { Range: not null } => Parser.Parse<RangeResponse>(text),
            { Put: not null } => Parser.Parse<PutResponse>(text),
            { DeleteRange: not null } => Parser.Parse<DeleteRangeResponse>(text),
            { Txn: not null } => Parser.Parse<TxnResponse>(text),
            _ => Parser.Parse<CompactionResponse>(text),
        };
    }

    /// <summary>Cluster, member and term are the server's to fill; the applier leaves them 0.</summary>
    private static void DropServerHeaderFields(JsonNode? node)
    {
        if (node is JsonObject obj)
        {
            if (obj["header"] is JsonObject header)
            {
                header.Remove("cluster_id");
                header.Remove("member_id");
                header.Remove("raft_term");
            }
            foreach (var (_, child) in obj.ToList())
            {
                DropServerHeaderFields(child);
            }
        }
        else if (node is JsonArray array)
        {
            foreach (var child in array)
            {
                DropServerHeaderFields(child);
            }
        }
    }

    /// <summary>
    /// etcdctl prints a txn's operations as Go's JSON of the oneof wrapper
    /// ({"Response":{"ResponsePut":{...}}}); protobuf's JSON form is {"response_put":{...}}.
    /// </summary>
    private static JsonNode FromEtcdctlTxnShape(JsonNode node)
    {
        if (node is JsonObject obj)
        {
            if (obj.Count == 1 && obj["Response"] is JsonObject wrapper && wrapper.Count == 1)
            {
                var (name, inner) = wrapper.First();
                string field = name switch
                {
                    "ResponseRange" => "response_range",
                    "ResponsePut" => "response_put",
                    "ResponseDeleteRange" => "response_delete_range",
                    _ => "response_txn",
                };
                wrapper.Remove(name);
                return new JsonObject { [field] = FromEtcdctlTxnShape(inner!) };
            }
            foreach (var (name, child) in obj.ToList())
            {
                if (child is not null)
                {
                    obj[name] = FromEtcdctlTxnShape(child.DeepClone());
                }
            }
            return obj;
        }
        if (node is JsonArray array)
        {
            var items = array.Select(c => c is null ? null : FromEtcdctlTxnShape(c.DeepClone())).ToList();
            array.Clear();
            foreach (var item in items)
            {
                array.Add(item);
            }
        }
        return node;
    }
}
