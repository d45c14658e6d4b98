using Cairn.Server.Grpc;
using Cairn.Protocol.Etcdserverpb;
using Cairn.Server.Errors;
using static Cairn.Server.Tests.Apply.ApplierFixture;
using SortOrder = Cairn.Protocol.Etcdserverpb.RangeRequest.Types.SortOrder;
using SortTarget = Cairn.Protocol.Etcdserverpb.RangeRequest.Types.SortTarget;

namespace Cairn.Server.Tests.Apply;

public class RangeApplyTests
{
    /// <summary>
    /// a: created 2, modified 6, version 2, value "z"; b: 3, 3, 1, "y"; c: 4, 7, 3, "x"
    /// (c was put at 4, 5 and 7); current revision 7.
    /// </summary>
    private static ApplierFixture Seeded()
    {
        var f = new ApplierFixture();
        f.Put("a", "x");  // 2
        f.Put("b", "y");  // 3
        f.Put("c", "w");  // 4
        f.Put("c", "v");  // 5
        f.Put("a", "z");  // 6
        f.Put("c", "x");  // 7
        return f;
    }

    [Fact]
    public void The_header_carries_the_current_revision_and_count_all_matching_keys()
    {
        using var f = Seeded();
        var r = f.Get("a", "\0");
        Assert.Equal(7, r.Header.Revision);
        Assert.Equal(3, r.Count);
        Assert.False(r.More);
        Assert.Equal("a,b,c", Keys(r));
        Assert.Equal(0ul, r.Header.ClusterId);
    }

    [Fact]
    public void Prefix_and_from_key_ranges_follow_range_end()
    {
        using var f = Seeded();
        f.Put("ab", "1");
        Assert.Equal("a,ab", Keys(f.Get("a", "b")));
        Assert.Equal("ab,b,c", Keys(f.Get("ab", "\0")));
        Assert.Equal("a", Keys(f.Get("a")));
    }

    [Theory]
    [InlineData(1, "a", true)]
    [InlineData(2, "a,b", true)]
    [InlineData(3, "a,b,c", false)]
    [InlineData(4, "a,b,c", false)]
    [InlineData(0, "a,b,c", false)]
    [InlineData(-1, "a,b,c", false)]
    public void Limit_truncates_and_sets_more(long limit, string keys, bool more)
    {
        using var f = Seeded();
        var r = f.Get("a", "\0", r => r.Limit = limit);
        Assert.Equal(keys, Keys(r));
        Assert.Equal(more, r.More);
        Assert.Equal(3, r.Count);
    }

    [Theory]
    [InlineData(SortTarget.Key, SortOrder.Descend, "c,b,a")]
    [InlineData(SortTarget.Key, SortOrder.Ascend, "a,b,c")]
    [InlineData(SortTarget.Create, SortOrder.Descend, "c,b,a")]
    [InlineData(SortTarget.Mod, SortOrder.Ascend, "b,a,c")]
    [InlineData(SortTarget.Mod, SortOrder.Descend, "c,a,b")]
    [InlineData(SortTarget.Version, SortOrder.Descend, "c,a,b")]
    [InlineData(SortTarget.Version, SortOrder.None, "b,a,c")]
    [InlineData(SortTarget.Value, SortOrder.Ascend, "c,b,a")]
    [InlineData(SortTarget.Value, SortOrder.Descend, "a,b,c")]
    public void Sort_orders_by_target(SortTarget target, SortOrder order, string keys)
    {
        using var f = Seeded();
        Assert.Equal(keys, Keys(f.Get("a", "\0", r => (r.SortTarget, r.SortOrder) = (target, order))));
    }

    [Fact]
    public void Sorting_then_limiting_takes_the_first_of_the_whole_sorted_range()
    {
        using var f = Seeded();
        var r = f.Get("a", "\0", r => (r.SortTarget, r.SortOrder, r.Limit) = (SortTarget.Value, SortOrder.Ascend, 1));
        Assert.Equal("c", Keys(r));
        Assert.True(r.More);
    }

    [Fact]
    public void A_target_without_an_order_sorts_only_the_first_limit_plus_one_keys_as_etcd_does()
    {
        using var f = Seeded();
        // etcd fetches limit + 1 keys in key order (a, b), sorts those by value (b "y" < a "z").
        var r = f.Get("a", "\0", r => (r.SortTarget, r.Limit) = (SortTarget.Value, 1));
        Assert.Equal("b", Keys(r));
        Assert.True(r.More);
    }

    [Fact]
    public void Equal_sort_values_keep_key_order_in_both_directions()
    {
        using var f = new ApplierFixture();
        f.Put("b", "same");
        f.Put("a", "same");
        f.Put("c", "other");
        Assert.Equal("c,a,b", Keys(f.Get("a", "\0", r => (r.SortTarget, r.SortOrder) = (SortTarget.Value, SortOrder.Ascend))));
        Assert.Equal("a,b,c", Keys(f.Get("a", "\0", r => (r.SortTarget, r.SortOrder) = (SortTarget.Value, SortOrder.Descend))));
    }

    [Theory]
    [InlineData(6, 0, 0, 0, "a,c")]
    [InlineData(0, 5, 0, 0, "b")]
    [InlineData(0, 0, 3, 0, "b,c")]
    [InlineData(0, 0, 0, 3, "a,b")]
    [InlineData(3, 6, 0, 0, "a,b")]
    public void Min_and_max_revision_filters_drop_keys_but_not_the_count(long minMod, long maxMod, long minCreate, long maxCreate, string keys)
    {
        using var f = Seeded();
        var r = f.Get("a", "\0", r =>
        {
            r.MinModRevision = minMod;
            r.MaxModRevision = maxMod;
            r.MinCreateRevision = minCreate;
            r.MaxCreateRevision = maxCreate;
        });
        Assert.Equal(keys, Keys(r));
        Assert.Equal(3, r.Count);
    }

    [Fact]
    public void Keys_only_drops_values_and_count_only_drops_key_values()
    {
        using var f = Seeded();
        var keysOnly = f.Get("a", "\0", r => r.KeysOnly = true);
        Assert.Equal("a,b,c", Keys(keysOnly));
        Assert.All(keysOnly.Kvs, kv => Assert.True(kv.Value.IsEmpty));
        Assert.Equal(2, keysOnly.Kvs[0].Version);

        var countOnly = f.Get("a", "\0", r => (r.CountOnly, r.Limit) = (true, 1));
        Assert.Empty(countOnly.Kvs);
        Assert.Equal(3, countOnly.Count);
        Assert.False(countOnly.More);
    }

    [Fact]
    public void A_past_revision_reads_history_and_errors_use_etcds_texts()
    {
        using var f = Seeded();
        var r = f.Get("c", "", r => r.Revision = 4);
        Assert.Equal("w", r.Kvs[0].Value.ToStringUtf8());
        Assert.Equal(7, r.Header.Revision);

        var future = Assert.Throws<EtcdException>(() => f.Get("c", "", r => r.Revision = 8));
        Assert.Equal((GrpcStatusCode.OutOfRange, "etcdserver: mvcc: required revision is a future revision"), (future.Error.Code, future.Message));

        Assert.Null(f.Applier.Compaction(new CompactionRequest { Revision = 5 }).Error);
        var compacted = Assert.Throws<EtcdException>(() => f.Get("c", "", r => r.Revision = 4));
        Assert.Equal((GrpcStatusCode.OutOfRange, "etcdserver: mvcc: required revision has been compacted"), (compacted.Error.Code, compacted.Message));
        Assert.Equal("v", f.Get("c", "", r => r.Revision = 5).Kvs[0].Value.ToStringUtf8());
    }

    [Fact]
    public void A_range_through_raft_is_answered_too()
    {
        using var f = Seeded();
        var result = f.Applier.Apply(new InternalRaftRequest { Range = new RangeRequest { Key = B("b") } })!;
        Assert.Null(result.Error);
        Assert.Equal("b", Keys((RangeResponse)result.Response!));
        Assert.Equal(7, f.Store.CurrentRevision);
    }
}
