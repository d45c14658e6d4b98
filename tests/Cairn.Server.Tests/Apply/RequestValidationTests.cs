using Cairn.Server.Grpc;
using Cairn.Protocol.Etcdserverpb;
using Cairn.Server.Api.Validation;
using Cairn.Server.Errors;
using Google.Protobuf;
using static Cairn.Server.Tests.Apply.ApplierFixture;

namespace Cairn.Server.Tests.Apply;

// etcd's v3rpc/key.go checks, made before a request is proposed.
public class RequestValidationTests
{
    private static EtcdError? Txn(Action<TxnRequest> build, int maxOps = KvRequestChecks.DefaultMaxTxnOps)
    {
        var txn = new TxnRequest();
        build(txn);
        return KvRequestChecks.CheckTxn(txn, maxOps);
    }

    [Fact]
    public void An_empty_key_is_refused_everywhere()
    {
        Assert.Same(EtcdErrors.EmptyKey, KvRequestChecks.CheckRange(new RangeRequest { RangeEnd = B("z") }));
        Assert.Same(EtcdErrors.EmptyKey, KvRequestChecks.CheckPut(new PutRequest { Value = B("v") }));
        Assert.Same(EtcdErrors.EmptyKey, KvRequestChecks.CheckDeleteRange(new DeleteRangeRequest()));
        Assert.Same(EtcdErrors.EmptyKey, Txn(t => t.Compare.Add(new Compare())));
        Assert.Same(EtcdErrors.EmptyKey, Txn(t => t.Failure.Add(new RequestOp { RequestRange = new RangeRequest() })));
        Assert.Equal("etcdserver: key is not provided", EtcdErrors.EmptyKey.Message);
        Assert.Null(KvRequestChecks.CheckRange(new RangeRequest { Key = B("a") }));
    }

    [Fact]
    public void Ignore_flags_refuse_what_they_would_ignore()
    {
        var e = KvRequestChecks.CheckPut(new PutRequest { Key = B("a"), Value = B("v"), IgnoreValue = true });
        Assert.Equal((GrpcStatusCode.InvalidArgument, "etcdserver: value is provided"), (e!.Code, e.Message));
        e = KvRequestChecks.CheckPut(new PutRequest { Key = B("a"), Lease = 5, IgnoreLease = true });
        Assert.Equal((GrpcStatusCode.InvalidArgument, "etcdserver: lease is provided"), (e!.Code, e.Message));
        Assert.Null(KvRequestChecks.CheckPut(new PutRequest { Key = B("a"), IgnoreValue = true, IgnoreLease = true }));
    }

    [Fact]
    public void An_operation_with_nothing_set_is_key_not_found()
    {
        Assert.Same(EtcdErrors.KeyNotFound, Txn(t => t.Success.Add(new RequestOp())));
    }

    [Fact]
    public void Too_many_compares_or_operations_in_one_branch_are_refused()
    {
        Assert.Null(Txn(t => { for (int i = 0; i < 3; i++) { t.Success.Add(PutOp($"k{i}", "v")); } }, maxOps: 3));
        var e = Txn(t => { for (int i = 0; i < 4; i++) { t.Failure.Add(PutOp($"k{i}", "v")); } }, maxOps: 3);
        Assert.Equal((GrpcStatusCode.InvalidArgument, "etcdserver: too many operations in txn request"), (e!.Code, e.Message));
        Assert.Same(EtcdErrors.TooManyOps, Txn(t => { for (int i = 0; i < 4; i++) { t.Compare.Add(ValueIs($"k{i}", Compare.Types.CompareResult.Equal, "v")); } }, maxOps: 3));
    }

    [Fact]
    public void A_nested_transaction_gets_only_what_its_parent_left_of_the_limit()
    {
        // Parent uses 2 of 4; the nested one may have 2 but not 3.
        var nested2 = new TxnRequest { Success = { PutOp("n1", "v"), PutOp("n2", "v") } };
        Assert.Null(Txn(t => t.Success.Add([PutOp("p", "v"), TxnOp(nested2)]), maxOps: 4));
        var nested3 = new TxnRequest { Success = { PutOp("n1", "v"), PutOp("n2", "v"), PutOp("n3", "v") } };
        Assert.Same(EtcdErrors.TooManyOps, Txn(t => t.Success.Add([PutOp("p", "v"), TxnOp(nested3)]), maxOps: 4));
    }

    public static TheoryData<string, TxnRequest, bool> DuplicateCases => new()
    {
        { "two puts of one key", new TxnRequest { Success = { PutOp("a", "1"), PutOp("a", "2") } }, true },
        { "puts of different keys", new TxnRequest { Success = { PutOp("a", "1"), PutOp("b", "2") } }, false },
        { "put and delete of one key", new TxnRequest { Success = { PutOp("a", "1"), DeleteOp("a") } }, true },
        { "delete then put of one key", new TxnRequest { Success = { DeleteOp("a"), PutOp("a", "1") } }, true },
        { "put inside a deleted range", new TxnRequest { Success = { DeleteOp("a", "c"), PutOp("b", "1") } }, true },
        { "put at a deleted range's end", new TxnRequest { Success = { DeleteOp("a", "c"), PutOp("c", "1") } }, false },
        { "put after a from-key delete (etcd's quirk: allowed)", new TxnRequest { Success = { DeleteOp("a", "\0"), PutOp("b", "1") } }, false },
        { "two deletes of one key", new TxnRequest { Success = { DeleteOp("a"), DeleteOp("a") } }, false },
        { "range and put of one key", new TxnRequest { Success = { GetOp("a"), PutOp("a", "1") } }, false },
        { "same key in success and failure", new TxnRequest { Success = { PutOp("a", "1") }, Failure = { PutOp("a", "2") } }, false },
        { "nested put of a key put outside", new TxnRequest { Success = { PutOp("a", "1"), TxnOp(new TxnRequest { Success = { PutOp("a", "2") } }) } }, true },
        { "nested put inside an outer deleted range", new TxnRequest { Success = { DeleteOp("a", "z"), TxnOp(new TxnRequest { Failure = { PutOp("m", "2") } }) } }, true },
        { "nested delete of a key put outside", new TxnRequest { Success = { PutOp("a", "1"), TxnOp(new TxnRequest { Success = { DeleteOp("a") } }) } }, true },
        { "nested then and else put the same key", new TxnRequest { Success = { TxnOp(new TxnRequest { Success = { PutOp("a", "1") }, Failure = { PutOp("a", "2") } }) } }, false },
        { "two nested transactions put the same key", new TxnRequest { Success = { TxnOp(new TxnRequest { Success = { PutOp("a", "1") } }), TxnOp(new TxnRequest { Failure = { PutOp("a", "2") } }) } }, true },
        { "a nested delete then a later nested put", new TxnRequest { Success = { TxnOp(new TxnRequest { Success = { DeleteOp("a") } }), TxnOp(new TxnRequest { Success = { PutOp("a", "2") } }) } }, true },
        { "a nested put then a later nested delete", new TxnRequest { Success = { TxnOp(new TxnRequest { Success = { PutOp("a", "1") } }), TxnOp(new TxnRequest { Success = { DeleteOp("a") } }) } }, false },
        { "two levels deep", new TxnRequest { Success = { PutOp("a", "1"), TxnOp(new TxnRequest { Success = { TxnOp(new TxnRequest { Success = { PutOp("a", "2") } }) } }) } }, true },
    };

    [Theory]
    [MemberData(nameof(DuplicateCases))]
    public void The_duplicate_key_rule_follows_etcd(string name, TxnRequest txn, bool refused)
    {
        var e = KvRequestChecks.CheckTxn(txn, KvRequestChecks.DefaultMaxTxnOps);
        Assert.True(refused == (e is not null), name);
        if (refused)
        {
            Assert.Equal((GrpcStatusCode.InvalidArgument, "etcdserver: duplicate key given in txn request"), (e!.Code, e.Message));
        }
    }

    [Fact]
    public void Size_checks_come_before_the_duplicate_key_rule()
    {
        var txn = new TxnRequest { Success = { PutOp("a", "1"), PutOp("a", "2"), PutOp("", "3") } };
        Assert.Same(EtcdErrors.EmptyKey, KvRequestChecks.CheckTxn(txn, 10));
        Assert.Same(EtcdErrors.TooManyOps, KvRequestChecks.CheckTxn(txn, 2));
    }

    [Fact]
    public void The_duplicate_key_rule_stays_fast_for_large_transactions()
    {
        var txn = new TxnRequest();
        for (int i = 0; i < 10_000; i++)
        {
            txn.Success.Add(DeleteOp($"d{i:D5}"));
            txn.Success.Add(PutOp($"p{i:D5}", "v"));
        }
        Assert.Null(KvRequestChecks.CheckTxn(txn, 20_000));
        txn.Success.Add(PutOp("d05000", "v"));
        Assert.Same(EtcdErrors.DuplicateKey, KvRequestChecks.CheckTxn(txn, 30_000));
    }

    [Fact]
    public void A_request_above_max_request_bytes_is_too_large()
    {
        var request = new InternalRaftRequest { Put = new PutRequest { Key = B("k"), Value = ByteString.CopyFrom(new byte[100]) } };
        Assert.Null(RequestSizeCheck.Check(request, 200));
        var e = RequestSizeCheck.Check(request, 50);
        Assert.Equal((GrpcStatusCode.InvalidArgument, "etcdserver: request is too large"), (e!.Code, e.Message));
    }
}
