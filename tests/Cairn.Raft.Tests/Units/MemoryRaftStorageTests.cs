using Cairn.Protocol.Raftpb;
using Cairn.Raft.Storage;
using Google.Protobuf;
using static Cairn.Raft.Tests.Harness.Kit;

namespace Cairn.Raft.Tests.Units;

public class MemoryRaftStorageTests
{
    /// <summary>A storage whose snapshot is at (3, 3) and whose log holds 4..last with term = index.</summary>
    private static MemoryRaftStorage From3To(ulong last)
    {
        var s = new MemoryRaftStorage();
        s.ApplySnapshot(new Snapshot { Metadata = SnapshotMetadata.Of(new ConfState(), 3, 3) });
        for (var i = 4UL; i <= last; i++)
        {
            s.Append([Ent(i, i)]);
        }
        return s;
    }

    private static RaftStorageError ErrorOf(Action a) => Assert.Throws<RaftStorageException>(a).Error;

    [Fact]
    public void Term_answers_from_the_snapshot_index_to_the_last_index()
    {
        var s = From3To(5);
        Assert.Equal(RaftStorageError.Compacted, ErrorOf(() => s.Term(2)));
        Assert.Equal(3UL, s.Term(3));
        Assert.Equal(4UL, s.Term(4));
        Assert.Equal(5UL, s.Term(5));
        Assert.Equal(RaftStorageError.Unavailable, ErrorOf(() => s.Term(6)));
    }

    [Theory]
    [InlineData(4UL, 5UL, ulong.MaxValue, 1)]
    [InlineData(4UL, 6UL, ulong.MaxValue, 2)]
    [InlineData(4UL, 7UL, ulong.MaxValue, 3)]
    // Even a zero limit returns the first entry.
    [InlineData(4UL, 7UL, 0UL, 1)]
    // Each of these entries takes 6 bytes.
    [InlineData(4UL, 7UL, 12UL, 2)]
    [InlineData(4UL, 7UL, 15UL, 2)]
    [InlineData(4UL, 7UL, 17UL, 2)]
    [InlineData(4UL, 7UL, 18UL, 3)]
    public void Entries_returns_the_range_cut_at_the_size_limit(ulong lo, ulong hi, ulong maxSize, int count)
    {
        var s = From3To(6);
        var ents = s.Entries(lo, hi, maxSize);
        Assert.Equal(Enumerable.Range((int)lo, count).Select(i => Ent((ulong)i, (ulong)i)), ents.ToArray());
    }

    [Theory]
    [InlineData(2UL)]
    [InlineData(3UL)]
    public void Entries_at_or_below_the_snapshot_are_compacted(ulong lo)
    {
        var s = From3To(6);
        Assert.Equal(RaftStorageError.Compacted, ErrorOf(() => s.Entries(lo, 6, ulong.MaxValue)));
    }

    [Fact]
    public void The_first_and_last_index_follow_appends_and_compaction()
    {
        var s = From3To(5);
        Assert.Equal(4UL, s.FirstIndex());
        Assert.Equal(5UL, s.LastIndex());

        s.Append([Ent(5, 6)]);
        Assert.Equal(6UL, s.LastIndex());

        s.Compact(4);
        Assert.Equal(5UL, s.FirstIndex());
        Assert.Equal(4UL, s.Term(4));
    }

    [Theory]
    [InlineData(2UL, true, 4UL)]
    [InlineData(3UL, true, 4UL)]
    [InlineData(4UL, false, 5UL)]
    [InlineData(5UL, false, 6UL)]
    public void Compact_drops_entries_up_to_the_index(ulong index, bool compacted, ulong wantFirst)
    {
        var s = From3To(5);
        if (compacted)
        {
            Assert.Equal(RaftStorageError.Compacted, ErrorOf(() => s.Compact(index)));
        }
        else
        {
            s.Compact(index);
        }
        Assert.Equal(wantFirst, s.FirstIndex());
        Assert.Equal(5UL, s.LastIndex());
        Assert.Equal(wantFirst - 1, s.Term(wantFirst - 1));
    }

    [Fact]
    public void Compacting_beyond_the_last_index_is_a_caller_error()
    {
        Assert.Throws<RaftStateException>(() => From3To(5).Compact(6));
    }

    [Theory]
    [InlineData(4UL)]
    [InlineData(5UL)]
    public void CreateSnapshot_records_index_term_configuration_and_data(ulong index)
    {
        var s = From3To(5);
        var cs = new ConfState { AutoLeave = false };
        cs.Voters.AddRange([1UL, 2, 3]);
        var data = ByteString.CopyFromUtf8("data");

        var snap = s.CreateSnapshot(index, cs, data);

        Assert.Equal(new Snapshot { Data = data, Metadata = SnapshotMetadata.Of(cs, index, index) }, snap);
        Assert.Same(snap, s.Snapshot());
        Assert.Equal(RaftStorageError.SnapshotOutOfDate, ErrorOf(() => s.CreateSnapshot(index, cs, data)));
    }

    public static TheoryData<Entry[], Entry[]> Appends() => new()
    {
        // Entirely compacted: nothing changes.
        { [Ent(1, 1), Ent(2, 2)], [Ent(4, 4), Ent(5, 5)] },
        // Identical.
        { [Ent(3, 3), Ent(4, 4), Ent(5, 5)], [Ent(4, 4), Ent(5, 5)] },
        // Conflicting terms replace the tail.
        { [Ent(3, 3), Ent(6, 4), Ent(6, 5)], [Ent(6, 4), Ent(6, 5)] },
        { [Ent(3, 3), Ent(4, 4), Ent(5, 5), Ent(5, 6)], [Ent(4, 4), Ent(5, 5), Ent(5, 6)] },
        // Compacted prefix skipped, tail truncated.
        { [Ent(3, 2), Ent(3, 3), Ent(5, 4)], [Ent(5, 4)] },
        { [Ent(5, 4)], [Ent(5, 4)] },
        // Direct append.
        { [Ent(5, 6)], [Ent(4, 4), Ent(5, 5), Ent(5, 6)] },
    };

    [Theory]
    [MemberData(nameof(Appends))]
    public void Append_skips_compacted_entries_and_replaces_conflicting_ones(Entry[] entries, Entry[] want)
    {
        var s = From3To(5);
        s.Append(entries);
        Assert.Equal(want, s.Entries(4, s.LastIndex() + 1, ulong.MaxValue).ToArray());
    }

    [Fact]
    public void Append_after_a_gap_is_a_caller_error()
    {
        Assert.Throws<RaftStateException>(() => From3To(5).Append([Ent(5, 7)]));
    }

    [Fact]
    public void A_truncating_append_leaves_views_handed_out_earlier_untouched()
    {
        var s = From3To(6);
        var view = s.Entries(4, 7, ulong.MaxValue);

        s.Append([Ent(9, 5)]);
        s.Append([Ent(9, 6), Ent(9, 7)]);

        Assert.Equal(new[] { Ent(4, 4), Ent(5, 5), Ent(6, 6) }, view.ToArray());
    }

    [Fact]
    public void ApplySnapshot_refuses_an_older_snapshot()
    {
        var s = new MemoryRaftStorage();
        var cs = new ConfState();
        cs.Voters.AddRange([1UL, 2, 3]);
        s.ApplySnapshot(new Snapshot { Data = ByteString.CopyFromUtf8("data"), Metadata = SnapshotMetadata.Of(cs, 4, 4) });

        Assert.Equal(4UL, s.LastIndex());
        Assert.Equal(new ulong[] { 1, 2, 3 }, s.InitialState().ConfState.Voters);
        Assert.Equal(RaftStorageError.SnapshotOutOfDate,
            ErrorOf(() => s.ApplySnapshot(new Snapshot { Metadata = SnapshotMetadata.Of(cs, 3, 3) })));
    }

    [Fact]
    public void Storage_errors_carry_etcd_texts()
    {
        Assert.Equal("requested index is unavailable due to compaction", new RaftStorageException(RaftStorageError.Compacted).Message);
        Assert.Equal("requested index is older than the existing snapshot", new RaftStorageException(RaftStorageError.SnapshotOutOfDate).Message);
        Assert.Equal("requested entry at index is unavailable", new RaftStorageException(RaftStorageError.Unavailable).Message);
        Assert.Equal("snapshot is temporarily unavailable", new RaftStorageException(RaftStorageError.SnapshotTemporarilyUnavailable).Message);
    }
}
