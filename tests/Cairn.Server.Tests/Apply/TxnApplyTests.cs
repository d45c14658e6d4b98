using Cairn.Protocol.Etcdserverpb;
using Cairn.Server.Apply;
using Cairn.Server.Errors;
using static Cairn.Server.Tests.Apply.ApplierFixture;
using Result = Cairn.Protocol.Etcdserverpb.Compare.Types.CompareResult;
using Target = Cairn.Protocol.Etcdserverpb.Compare.Types.CompareTarget;

namespace Cairn.Server.Tests.Apply;

public class TxnApplyTests
{
    private static Compare On(string key, Target target, Result result, long number, string rangeEnd = "")
    {
        var c = new Compare { Key = B(key), RangeEnd = B(rangeEnd), Target = target, Result = result };
        switch (target)
        {
            case Target.Version: c.Version = number; break;
            case Target.Create: c.CreateRevision = number; break;
            case Target.Mod: c.ModRevision = number; break;
            case Target.Lease: c.Lease = number; break;
        }
        return c;
    }

    private static bool Succeeds(ApplierFixture f, params Compare[] compares)
    {
        var txn = new TxnRequest();
        txn.Compare.AddRange(compares);
        return f.Applier.Txn(txn).Succeeded;
    }

    /// <summary>a: create 2, mod 4, version 2, value "2"; b: create 3, mod 3, version 1, value "1".</summary>
    private static ApplierFixture Seeded()
    {
        var f = new ApplierFixture();
        f.Put("a", "1");
        f.Put("b", "1");
        f.Put("a", "2");
        return f;
    }

    [Theory]
    [InlineData(Target.Version, Result.Equal, 2, true)]
    [InlineData(Target.Version, Result.NotEqual, 2, false)]
    [InlineData(Target.Version, Result.Greater, 1, true)]
    [InlineData(Target.Version, Result.Less, 2, false)]
    [InlineData(Target.Create, Result.Equal, 2, true)]
    [InlineData(Target.Create, Result.Less, 3, true)]
    [InlineData(Target.Mod, Result.Equal, 4, true)]
    [InlineData(Target.Mod, Result.Greater, 4, false)]
    [InlineData(Target.Lease, Result.Equal, 0, true)]
    [InlineData(Target.Lease, Result.Greater, 0, false)]
    public void Numeric_compares_on_an_existing_key(Target target, Result result, long number, bool expected)
    {
        using var f = Seeded();
        Assert.Equal(expected, Succeeds(f, On("a", target, result, number)));
    }

    [Theory]
    [InlineData(Result.Equal, "2", true)]
    [InlineData(Result.Equal, "1", false)]
    [InlineData(Result.NotEqual, "1", true)]
    [InlineData(Result.Greater, "1", true)]
    [InlineData(Result.Greater, "10", true)]
    [InlineData(Result.Less, "3", true)]
    [InlineData(Result.Less, "2", false)]
    public void Value_compares_bytewise(Result result, string value, bool expected)
    {
        using var f = Seeded();
        Assert.Equal(expected, Succeeds(f, ValueIs("a", result, value)));
    }

    [Fact]
    public void A_missing_key_compares_as_zero_but_never_by_value()
    {
        using var f = Seeded();
        Assert.True(Succeeds(f, On("zz", Target.Version, Result.Equal, 0)));
        Assert.True(Succeeds(f, On("zz", Target.Create, Result.Equal, 0)));
        Assert.True(Succeeds(f, On("zz", Target.Mod, Result.Less, 1)));
        Assert.False(Succeeds(f, ValueIs("zz", Result.Equal, "")));
        Assert.False(Succeeds(f, ValueIs("zz", Result.NotEqual, "x")));
    }

    [Fact]
    public void A_compare_with_a_range_end_must_hold_for_every_key_in_it()
    {
        using var f = Seeded();
        Assert.True(Succeeds(f, On("a", Target.Version, Result.Greater, 0, "c")));
        Assert.False(Succeeds(f, On("a", Target.Version, Result.Equal, 2, "c")));
        var fromA = ValueIs("a", Result.Greater, "0");
        fromA.RangeEnd = B("\0");
        Assert.True(Succeeds(f, fromA));
        Assert.True(Succeeds(f, On("x", Target.Create, Result.Equal, 0, "y")));
    }

    [Fact]
    public void All_compares_must_hold_for_success()
    {
        using var f = Seeded();
        Assert.True(Succeeds(f, On("a", Target.Version, Result.Equal, 2), On("b", Target.Version, Result.Equal, 1)));
        Assert.False(Succeeds(f, On("a", Target.Version, Result.Equal, 2), On("b", Target.Version, Result.Equal, 2)));
        Assert.True(Succeeds(f));
    }

    [Fact]
    public void The_branch_taken_runs_in_one_revision_with_sub_revisions_and_sees_its_own_writes()
    {
        using var f = Seeded();
        var txn = new TxnRequest { Compare = { ValueIs("a", Result.Equal, "2") } };
        txn.Success.Add(PutOp("c", "1"));
        txn.Success.Add(GetOp("c"));
        txn.Success.Add(DeleteOp("b"));
        txn.Success.Add(GetOp("a", "\0"));
        txn.Failure.Add(PutOp("never", "1"));

        var r = f.Applier.Txn(txn);

        Assert.True(r.Succeeded);
        Assert.Equal(5, r.Header.Revision);
        Assert.Equal(5, r.Responses[0].ResponsePut.Header.Revision);
        Assert.Equal("c", Keys(r.Responses[1].ResponseRange));
        Assert.Equal(5, r.Responses[1].ResponseRange.Header.Revision);
        Assert.Equal(1, r.Responses[2].ResponseDeleteRange.Deleted);
        Assert.Equal("a,c", Keys(r.Responses[3].ResponseRange));
        Assert.Equal(5, f.Store.CurrentRevision);
        Assert.Equal(0, f.Get("never").Count);
    }

    [Fact]
    public void Ranges_before_the_first_write_see_the_revision_before_the_transaction()
    {
        using var f = Seeded();
        var txn = new TxnRequest { Success = { GetOp("a"), DeleteOp("nothing"), PutOp("c", "1") } };
        var r = f.Applier.Txn(txn);
        Assert.Equal(4, r.Responses[0].ResponseRange.Header.Revision);
        Assert.Equal(4, r.Responses[1].ResponseDeleteRange.Header.Revision);
        Assert.Equal(5, r.Responses[2].ResponsePut.Header.Revision);
        Assert.Equal(5, r.Header.Revision);
    }

    [Fact]
    public void A_read_only_or_unchanging_transaction_keeps_the_revision()
    {
        using var f = Seeded();
        var readOnly = new TxnRequest { Success = { GetOp("a") }, Failure = { GetOp("b") } };
        Assert.True(KvApplier.IsReadOnly(readOnly));
        Assert.Equal(4, f.Applier.Txn(readOnly).Header.Revision);

        var deletesNothing = new TxnRequest { Success = { DeleteOp("zz") } };
        Assert.False(KvApplier.IsReadOnly(deletesNothing));
        Assert.Equal(4, f.Applier.Txn(deletesNothing).Header.Revision);
        Assert.Equal(4, f.Store.CurrentRevision);
    }

    [Fact]
    public void Nested_transactions_take_their_branch_from_the_state_before_the_outer_one()
    {
        using var f = Seeded();
        // The outer put changes a, but the nested compare still sees a = "2".
        var inner = new TxnRequest
        {
            Compare = { ValueIs("a", Result.Equal, "2") },
            Success = { PutOp("inner", "saw old a"), GetOp("a") },
            Failure = { PutOp("inner", "saw new a") },
        };
        var outer = new TxnRequest { Success = { PutOp("a", "3"), TxnOp(inner), PutOp("after", "1") } };

        var r = f.Applier.Txn(outer);

        Assert.True(r.Succeeded);
        var nested = r.Responses[1].ResponseTxn;
        Assert.True(nested.Succeeded);
        Assert.Equal(5, nested.Responses[0].ResponsePut.Header.Revision);
        Assert.Equal("3", nested.Responses[1].ResponseRange.Kvs[0].Value.ToStringUtf8());
        Assert.Equal("saw old a", f.Get("inner").Kvs[0].Value.ToStringUtf8());
        Assert.Equal(5, f.Get("after").Kvs[0].ModRevision);
        Assert.Equal(5, f.Store.CurrentRevision);
    }

    [Fact]
    public void Nested_failure_branches_and_deeper_nesting_follow_their_own_compares()
    {
        using var f = Seeded();
        var deepest = new TxnRequest { Compare = { ValueIs("b", Result.Equal, "1") }, Success = { PutOp("deep", "yes") } };
        var middle = new TxnRequest
        {
            Compare = { ValueIs("a", Result.Equal, "nope") },
            Success = { PutOp("middle", "success") },
            Failure = { PutOp("middle", "failure"), TxnOp(deepest) },
        };
        var r = f.Applier.Txn(new TxnRequest { Compare = { ValueIs("a", Result.Equal, "nope") }, Failure = { TxnOp(middle) } });

        Assert.False(r.Succeeded);
        Assert.False(r.Responses[0].ResponseTxn.Succeeded);
        Assert.True(r.Responses[0].ResponseTxn.Responses[1].ResponseTxn.Succeeded);
        Assert.Equal("failure", f.Get("middle").Kvs[0].Value.ToStringUtf8());
        Assert.Equal("yes", f.Get("deep").Kvs[0].Value.ToStringUtf8());
        Assert.Equal(f.Get("middle").Kvs[0].ModRevision, f.Get("deep").Kvs[0].ModRevision);
    }

    [Fact]
    public void A_failing_check_on_the_branch_taken_fails_the_whole_transaction_without_changes()
    {
        using var f = Seeded();
        var ignoreMissing = new TxnRequest
        {
            Success = { PutOp("x", "1"), new RequestOp { RequestPut = new PutRequest { Key = B("missing"), IgnoreValue = true } } },
        };
        Assert.Same(EtcdErrors.KeyNotFound, Assert.Throws<EtcdException>(() => f.Applier.Txn(ignoreMissing)).Error);

        var unknownLease = new TxnRequest { Success = { new RequestOp { RequestPut = new PutRequest { Key = B("x"), Lease = 9 } } } };
        Assert.Same(EtcdErrors.LeaseNotFound, Assert.Throws<EtcdException>(() => f.Applier.Txn(unknownLease)).Error);

        var futureRange = new TxnRequest { Success = { new RequestOp { RequestRange = new RangeRequest { Key = B("a"), Revision = 99 } } } };
        Assert.Same(EtcdErrors.FutureRevision, Assert.Throws<EtcdException>(() => f.Applier.Txn(futureRange)).Error);

        // The branch not taken is not checked.
        var notTaken = new TxnRequest { Compare = { ValueIs("a", Result.Equal, "2") }, Success = { PutOp("x", "1") }, Failure = { ignoreMissing.Success[1] } };
        Assert.True(f.Applier.Txn(notTaken).Succeeded);
        Assert.Equal(5, f.Store.CurrentRevision);
    }

    [Fact]
    public void A_compacted_range_in_a_transaction_is_refused()
    {
        using var f = Seeded();
        Assert.Null(f.Applier.Compaction(new CompactionRequest { Revision = 3 }).Error);
        var txn = new TxnRequest { Success = { new RequestOp { RequestRange = new RangeRequest { Key = B("a"), Revision = 2 } } } };
        Assert.Same(EtcdErrors.Compacted, Assert.Throws<EtcdException>(() => f.Applier.Txn(txn)).Error);
        txn.Success[0].RequestRange.Revision = 3;
        Assert.Equal("1", f.Applier.Txn(txn).Responses[0].ResponseRange.Kvs[0].Value.ToStringUtf8());
    }

    [Fact]
    public void A_proposal_breaking_the_duplicate_key_rule_is_refused_by_the_applier_too()
    {
        using var f = Seeded();
        var result = f.Applier.Apply(new InternalRaftRequest { Txn = new TxnRequest { Success = { PutOp("x", "1"), PutOp("x", "2") } } })!;
        Assert.Same(EtcdErrors.DuplicateKey, result.Error);
        Assert.Equal(4, f.Store.CurrentRevision);
    }

    [Fact]
    public void Serializable_means_every_operation_is_a_serializable_range()
    {
        var serializable = new TxnRequest { Success = { new RequestOp { RequestRange = new RangeRequest { Key = B("a"), Serializable = true } } } };
        Assert.True(KvApplier.IsSerializable(serializable));
        serializable.Failure.Add(GetOp("b"));
        Assert.False(KvApplier.IsSerializable(serializable));
    }
}
