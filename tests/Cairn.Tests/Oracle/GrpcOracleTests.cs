using System.Collections;
using Cairn.Protocol.Etcdserverpb;
using Cairn.Server.Grpc;
using Cairn.Server.Grpc.Client;
using Cairn.Tests.Processes;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Xunit.Abstractions;
using Result = Cairn.Protocol.Etcdserverpb.Compare.Types.CompareResult;
using Target = Cairn.Protocol.Etcdserverpb.Compare.Types.CompareTarget;

namespace Cairn.Tests.Oracle;

/// <summary>
/// What etcdctl 3.4 cannot send, sent with the project's gRPC client to etcd and to cairn in the same session:
/// count_only, the min/max revision filters, nested transactions, compares over a range and on leases, limits and
/// refusals. Responses compare as protobuf JSON with the header's IDs and raft term cleared; errors by status code
/// and message.
/// </summary>
public sealed class GrpcOracleTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Cairn_answers_what_etcdctl_cannot_ask_as_etcd_does()
    {
        var etcd = await SessionAsync(ServerKind.Etcd);
        output.WriteLine("etcd 3.4.23's session:\n" + string.Join('\n', etcd));
        var cairn = await SessionAsync(ServerKind.Cairn);
        DumpAssert.Same(etcd, cairn, "etcd 3.4.23", "cairn");
    }

    private async Task<IReadOnlyList<string>> SessionAsync(ServerKind kind)
    {
        using var member = TestMember.Create();
        await using var server = await ServerProcess.StartAsync(kind, member, output);
        using var channel = new GrpcChannel(member.ClientUrl);
        var transcript = new List<string>();

        async Task Call<TRequest, TResponse>(GrpcMethod<TRequest, TResponse> method, TRequest request)
            where TRequest : class, IMessage<TRequest>
            where TResponse : class, IMessage<TResponse>
        {
            transcript.Add($"{method.FullName} {JsonFormatter.Default.Format(request)}");
            try
            {
                var response = await channel.UnaryAsync(method, request, new GrpcCallOptions { Timeout = TimeSpan.FromSeconds(30) });
                ClearIdsAndTerms(response);
                transcript.Add("  " + JsonFormatter.Default.Format(response));
            }
            catch (GrpcException e)
            {
                transcript.Add($"  error {e.Code}: {e.Detail}");
            }
        }

        foreach (var (key, value) in new[] { ("a", "1"), ("b", "2"), ("c", "3"), ("a", "4"), ("d", "5"), ("b", "6"), ("e", "7") })
        {
            await Call(KvCalls.Put, new PutRequest { Key = Bytes(key), Value = Bytes(value) });
        }

        var all = new RangeRequest { Key = Bytes("a"), RangeEnd = Bytes("f") };
        await Call(KvCalls.Range, new RangeRequest(all) { CountOnly = true });
        await Call(KvCalls.Range, new RangeRequest(all) { CountOnly = true, Limit = 1 });
        await Call(KvCalls.Range, new RangeRequest(all) { CountOnly = true, KeysOnly = true, Revision = 4 });
        await Call(KvCalls.Range, new RangeRequest(all) { KeysOnly = true, MinModRevision = 5 });
        await Call(KvCalls.Range, new RangeRequest(all) { KeysOnly = true, MaxModRevision = 4 });
        await Call(KvCalls.Range, new RangeRequest(all) { KeysOnly = true, MinCreateRevision = 4, MaxCreateRevision = 6 });
        await Call(KvCalls.Range, new RangeRequest(all) { MinModRevision = 3, Limit = 2, SortTarget = RangeRequest.Types.SortTarget.Mod, SortOrder = RangeRequest.Types.SortOrder.Descend });
        await Call(KvCalls.Range, new RangeRequest(all) { MaxModRevision = 6, Limit = 1, CountOnly = true });
        await Call(KvCalls.Range, new RangeRequest(all) { Limit = -1, KeysOnly = true });
        await Call(KvCalls.Range, new RangeRequest(all) { Serializable = true, SortTarget = RangeRequest.Types.SortTarget.Value });
        await Call(KvCalls.Range, new RangeRequest { Key = ByteString.Empty });
        await Call(KvCalls.Range, new RangeRequest { Key = Bytes("a"), RangeEnd = Bytes("\0") });

        // Transactions: nested, compares over ranges and on leases.
        await Call(KvCalls.Txn, new TxnRequest
        {
            Compare = { Condition(Target.Version, "a", c => c.Version = 2) },
            Success =
            {
                new RequestOp
                {
                    RequestTxn = new TxnRequest
                    {
                        Compare = { Condition(Target.Value, "b", c => c.Value = Bytes("6")) },
                        Success = { Put("x", "1"), new RequestOp { RequestRange = new RangeRequest { Key = Bytes("x") } } },
                        Failure = { Put("y", "1") },
                    },
                },
                new RequestOp { RequestRange = new RangeRequest { Key = Bytes("a") } },
            },
        });
        await Call(KvCalls.Txn, new TxnRequest
        {
            Success =
            {
                new RequestOp { RequestTxn = new TxnRequest { Compare = { Condition(Target.Value, "x", c => c.Value = Bytes("2")) }, Failure = { Put("z", "nested-failure") } } },
                new RequestOp { RequestTxn = new TxnRequest { Success = { new RequestOp { RequestTxn = new TxnRequest { Success = { Put("deep", "3") } } } } } },
            },
        });
        await Call(KvCalls.Txn, new TxnRequest
        {
            Compare = { Condition(Target.Value, "a", c => c.Value = Bytes("0"), Result.Greater, rangeEnd: "f") },
            Success = { Put("range-value-greater", "yes") },
            Failure = { Put("range-value-greater", "no") },
        });
        await Call(KvCalls.Txn, new TxnRequest
        {
            Compare = { Condition(Target.Version, "a", c => c.Version = 1, rangeEnd: "f") },
            Success = { Put("range-version-1", "yes") },
            Failure = { Put("range-version-1", "no") },
        });
        await Call(KvCalls.Txn, new TxnRequest
        {
            Compare = { Condition(Target.Mod, "m", c => c.ModRevision = 100, Result.Less, rangeEnd: "w") },
            Success = { Put("range-missing-keys", "yes") },
            Failure = { Put("range-missing-keys", "no") },
        });
        await Call(KvCalls.Txn, new TxnRequest
        {
            Compare = { Condition(Target.Create, "a", c => c.CreateRevision = 0, Result.NotEqual, rangeEnd: "\0") },
            Success = { new RequestOp { RequestRange = new RangeRequest { Key = Bytes("range-"), RangeEnd = Bytes("range."), KeysOnly = true } } },
        });
        await Call(KvCalls.Txn, new TxnRequest
        {
            Compare = { Condition(Target.Lease, "a", c => c.Lease = 0), Condition(Target.Lease, "nokey", c => c.Lease = 0) },
            Success = { Put("lease-zero", "yes") },
            Failure = { Put("lease-zero", "no") },
        });
        await Call(KvCalls.Txn, new TxnRequest
        {
            Compare = { Condition(Target.Lease, "a", c => c.Lease = 5, Result.Less) },
            Success = { new RequestOp { RequestDeleteRange = new DeleteRangeRequest { Key = Bytes("range-"), RangeEnd = Bytes("range."), PrevKv = true } } },
        });
        await Call(KvCalls.Txn, new TxnRequest());

        // The duplicate-key rule reaches into nested transactions.
        await Call(KvCalls.Txn, new TxnRequest { Success = { Put("k", "1"), new RequestOp { RequestTxn = new TxnRequest { Success = { Put("k", "2") } } } } });
        await Call(KvCalls.Txn, new TxnRequest { Success = { Put("k", "1"), new RequestOp { RequestTxn = new TxnRequest { Failure = { Put("k", "2") } } } } });
        await Call(KvCalls.Txn, new TxnRequest
        {
            Success = { new RequestOp { RequestTxn = new TxnRequest { Success = { Put("k", "1") } } }, new RequestOp { RequestTxn = new TxnRequest { Failure = { Put("k", "2") } } } },
        });
        await Call(KvCalls.Txn, new TxnRequest
        {
            Success = { new RequestOp { RequestDeleteRange = new DeleteRangeRequest { Key = Bytes("k"), RangeEnd = Bytes("l") } }, new RequestOp { RequestTxn = new TxnRequest { Success = { Put("k1", "2") } } } },
        });
        var tooManyOps = new TxnRequest();
        tooManyOps.Success.AddRange(Enumerable.Range(0, 129).Select(i => Put($"many/{i:D3}", "v")));
        await Call(KvCalls.Txn, tooManyOps);
        var tooManyCompares = new TxnRequest();
        tooManyCompares.Compare.AddRange(Enumerable.Range(0, 129).Select(i => Condition(Target.Version, $"many/{i:D3}", c => c.Version = 0)));
        await Call(KvCalls.Txn, tooManyCompares);
        await Call(KvCalls.Txn, new TxnRequest { Success = { new RequestOp { RequestPut = new PutRequest { Key = ByteString.Empty, Value = Bytes("v") } } } });

        // Puts and deletes with their options.
        await Call(KvCalls.Put, new PutRequest { Key = Bytes("a"), Value = Bytes("v"), IgnoreValue = true });
        await Call(KvCalls.Put, new PutRequest { Key = Bytes("a"), IgnoreValue = true, PrevKv = true });
        await Call(KvCalls.Put, new PutRequest { Key = Bytes("a"), Value = Bytes("8"), IgnoreLease = true, Lease = 7 });
        await Call(KvCalls.Put, new PutRequest { Key = Bytes("new"), Value = Bytes("9"), PrevKv = true });
        await Call(KvCalls.DeleteRange, new DeleteRangeRequest { Key = Bytes("a"), RangeEnd = Bytes("c"), PrevKv = true });
        await Call(KvCalls.DeleteRange, new DeleteRangeRequest { Key = ByteString.Empty });
        await Call(KvCalls.DeleteRange, new DeleteRangeRequest { Key = Bytes("zzz"), RangeEnd = Bytes("\0") });
        await Call(KvCalls.Range, new RangeRequest { Key = Bytes("\0"), RangeEnd = Bytes("\0"), KeysOnly = true });

        // Compaction.
        await Call(KvCalls.Compact, new CompactionRequest { Revision = 5, Physical = true });
        await Call(KvCalls.Range, new RangeRequest(all) { Revision = 4 });
        await Call(KvCalls.Range, new RangeRequest(all) { Revision = 5, CountOnly = true });
        await Call(KvCalls.Compact, new CompactionRequest { Revision = 3 });
        await Call(KvCalls.Compact, new CompactionRequest { Revision = 1000 });
        await Call(KvCalls.Txn, new TxnRequest { Success = { new RequestOp { RequestRange = new RangeRequest { Key = Bytes("a"), Revision = 2 } } } });

        // Unknown methods and services.
        await Call(GrpcMethod.Unary("etcdserverpb.KV", "Nope", RangeRequest.Parser, RangeResponse.Parser), new RangeRequest { Key = Bytes("a") });
        await Call(GrpcMethod.Unary("etcdserverpb.Nope", "Range", RangeRequest.Parser, RangeResponse.Parser), new RangeRequest { Key = Bytes("a") });
        return transcript;
    }

    private static ByteString Bytes(string text) => ByteString.CopyFromUtf8(text);

    private static RequestOp Put(string key, string value) => new() { RequestPut = new PutRequest { Key = Bytes(key), Value = Bytes(value) } };

    private static Compare Condition(Target target, string key, Action<Compare> set, Result result = Result.Equal, string? rangeEnd = null)
    {
        var compare = new Compare { Target = target, Key = Bytes(key), Result = result };
        if (rangeEnd is not null)
        {
            compare.RangeEnd = Bytes(rangeEnd);
        }

        set(compare);
        return compare;
    }

    /// <summary>Clears cluster and member IDs and the raft term in every response header of a message, nested ones too.</summary>
    private static void ClearIdsAndTerms(IMessage message)
    {
        if (message is ResponseHeader header)
        {
            header.ClusterId = 0;
            header.MemberId = 0;
            header.RaftTerm = 0;
            return;
        }

        foreach (var field in message.Descriptor.Fields.InFieldNumberOrder().Where(f => f.FieldType == FieldType.Message))
        {
            var value = field.Accessor.GetValue(message);
            if (field.IsRepeated)
            {
                foreach (var item in (IList)value)
                {
                    ClearIdsAndTerms((IMessage)item);
                }
            }
            else if (value is IMessage nested)
            {
                ClearIdsAndTerms(nested);
            }
        }
    }
}
