using Cairn.Protocol.Raftpb;
using Cairn.Raft.Log;
using Cairn.Raft.Storage;
using static Cairn.Raft.Tests.Harness.Kit;

namespace Cairn.Raft.Tests.Units;

public class RaftLogTests
{
    private static RaftLog LogWith(params ulong[] terms)
    {
        var log = new RaftLog(new MemoryRaftStorage(), ulong.MaxValue);
        foreach (var e in EntsWithTerms(terms))
        {
            log.Append(e);
        }
        return log;
    }

    public static TheoryData<Entry[], ulong> Conflicts() => new()
    {
        // No conflict, empty.
        { [], 0 },
        // No conflict.
        { [Ent(1, 1), Ent(2, 2), Ent(3, 3)], 0 },
        { [Ent(2, 2), Ent(3, 3)], 0 },
        { [Ent(3, 3)], 0 },
        // New entries.
        { [Ent(1, 1), Ent(2, 2), Ent(3, 3), Ent(4, 4), Ent(4, 5)], 4 },
        { [Ent(4, 4), Ent(4, 5)], 4 },
        // Conflicts with existing entries.
        { [Ent(4, 1), Ent(4, 2)], 1 },
        { [Ent(1, 2), Ent(4, 3), Ent(4, 4)], 2 },
        { [Ent(1, 3), Ent(2, 4), Ent(4, 5), Ent(4, 6)], 3 },
    };

    [Theory]
    [MemberData(nameof(Conflicts))]
    public void FindConflict_returns_the_first_entry_not_already_held(Entry[] ents, ulong want)
    {
        Assert.Equal(want, LogWith(1, 2, 3).FindConflict(ents));
    }

    [Theory]
    [InlineData(2UL, 3UL, false)]  // same term, shorter
    [InlineData(2UL, 4UL, true)]   // later last term
    [InlineData(4UL, 1UL, false)]  // earlier last term
    [InlineData(2UL, 2UL, false)]
    [InlineData(3UL, 3UL, true)]   // same term, longer or equal
    [InlineData(4UL, 3UL, true)]
    public void IsUpToDate_compares_last_term_then_length(ulong lastIndex, ulong term, bool want)
    {
        Assert.Equal(want, LogWith(1, 2, 3).IsUpToDate(lastIndex, term));
    }

    [Fact]
    public void An_append_that_would_overwrite_committed_entries_is_refused_without_change()
    {
        var log = LogWith(1, 2, 3);
        log.CommitTo(2);

        var outcome = log.MaybeAppend(1, 1, 3, new[] { Ent(4, 2) }, out _);

        Assert.Equal(AppendOutcome.ConflictsWithCommitted, outcome);
        Assert.Equal(2UL, log.TermOrZero(2));
        Assert.Equal(2UL, log.Committed);
    }

    [Fact]
    public void MaybeAppend_truncates_a_conflicting_tail_and_commits_up_to_the_last_new_entry()
    {
        var log = LogWith(1, 2, 3);

        Assert.Equal(AppendOutcome.Appended, log.MaybeAppend(1, 1, 10, new[] { Ent(4, 2) }, out var last));

        Assert.Equal(2UL, last);
        Assert.Equal(2UL, log.LastIndex());
        Assert.Equal(4UL, log.LastTerm());
        Assert.Equal(2UL, log.Committed);
        Assert.Equal(AppendOutcome.TermMismatch, log.MaybeAppend(2, 2, 10, Array.Empty<Entry>(), out _));
    }

    [Fact]
    public void Slices_span_stable_and_unstable_entries_and_respect_compaction()
    {
        var storage = new MemoryRaftStorage();
        storage.Append(EntsWithTerms(1, 1, 1, 1, 1));
        storage.CreateSnapshot(2, null, Google.Protobuf.ByteString.Empty);
        storage.Compact(2);
        var log = new RaftLog(storage, ulong.MaxValue);
        log.Append(Ent(2, 6));
        log.Append(Ent(2, 7));

        Assert.True(log.TrySlice(4, 8, ulong.MaxValue, out var ents));
        Assert.Equal(new ulong[] { 4, 5, 6, 7 }, ents.Select(e => e.Index));
        Assert.True(log.TrySlice(6, 8, ulong.MaxValue, out ents));
        Assert.Equal(new ulong[] { 6, 7 }, ents.Select(e => e.Index));
        Assert.False(log.TrySlice(2, 4, ulong.MaxValue, out _));
        Assert.Throws<RaftStateException>(() => log.TrySlice(5, 9, ulong.MaxValue, out _));
        Assert.True(log.TrySlice(4, 8, 0, out ents));
        Assert.Single(ents);
        Assert.Equal(3UL, log.FirstIndex());
        Assert.True(log.TryTerm(2, out var t) && t == 1);
        Assert.True(log.TryTerm(1, out t) && t == 0);
    }

    [Fact]
    public void Persisted_entries_leave_the_unstable_tail_only_if_their_term_still_matches()
    {
        var log = LogWith(1, 1, 2);
        log.StableTo(2, 9);
        Assert.Equal(3, log.UnstableEntries.Count);

        log.StableTo(2, 1);
        Assert.Equal(new ulong[] { 3 }, log.UnstableEntries.Select(e => e.Index));
        Assert.Equal(3UL, log.Unstable.Offset);
    }

    [Fact]
    public void Unstable_views_handed_out_earlier_survive_truncation_and_growth()
    {
        var log = LogWith(1, 1, 1);
        var view = log.UnstableEntries;

        log.MaybeAppend(1, 1, 0, new[] { Ent(2, 2), Ent(2, 3), Ent(2, 4) }, out _);
        for (var i = 5UL; i < 200; i++)
        {
            log.Append(Ent(2, i));
        }

        Assert.Equal(new[] { Ent(1, 1), Ent(1, 2), Ent(1, 3) }, view.ToArray());
    }

    [Fact]
    public void Committed_entries_are_handed_out_once_applied_moves_past_them()
    {
        var storage = new MemoryRaftStorage();
        storage.Append(EntsWithTerms(1, 1, 1, 1));
        var log = new RaftLog(storage, ulong.MaxValue);
        log.CommitTo(3);

        Assert.True(log.HasNextEntries());
        Assert.Equal(new ulong[] { 1, 2, 3 }, log.NextEntries().Select(e => e.Index));
        log.AppliedTo(3);
        Assert.False(log.HasNextEntries());
        Assert.Equal(0, log.NextEntries().Count);
        Assert.Throws<RaftStateException>(() => log.AppliedTo(4));
        Assert.Throws<RaftStateException>(() => log.CommitTo(5));
    }

    [Fact]
    public void Committed_entries_per_ready_are_limited_in_bytes()
    {
        var storage = new MemoryRaftStorage();
        storage.Append(EntsWithTerms(1, 1, 1, 1));
        var log = new RaftLog(storage, 12);
        log.CommitTo(4);

        Assert.Equal(2, log.NextEntries().Count);
    }
}
