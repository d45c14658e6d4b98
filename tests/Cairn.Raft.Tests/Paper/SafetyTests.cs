using Cairn.Protocol.Raftpb;
using Cairn.Raft.Core;
using Cairn.Raft.Tests.Harness;
using static Cairn.Raft.Tests.Harness.Kit;

namespace Cairn.Raft.Tests.Paper;

/// <summary>Raft paper §5.4: election restriction, committing entries of earlier terms, figure 8.</summary>
public class SafetyTests
{
    [Theory]
    [InlineData(new ulong[] { 1 }, 2UL)]
    [InlineData(new ulong[] { 1, 2 }, 3UL)]
    public void A_vote_request_carries_the_candidate_last_index_and_term_to_every_other_voter(ulong[] terms, ulong wantTerm)
    {
        var r = NewRaft(1, Ids(3));
        r.Step(Msg(2, 1, MessageType.MsgApp, term: wantTerm - 1, entries: EntsWithTerms(terms)));
        Read(r);

        for (var i = 1; i < r.ElectionTimeout * 2; i++)
        {
            r.Tick();
        }

        var msgs = ReadSorted(r);
        Assert.Equal(new ulong[] { 2, 3 }, msgs.Select(m => m.To));
        Assert.All(msgs, m =>
        {
            Assert.Equal(MessageType.MsgVote, m.Type);
            Assert.Equal(wantTerm, m.Term);
            Assert.Equal((ulong)terms.Length, m.Index);
            Assert.Equal(terms[^1], m.LogTerm);
        });
    }

    [Theory]
    // Same last term: the longer (or equal) log wins.
    [InlineData(new ulong[] { 1 }, 1UL, 1UL, false)]
    [InlineData(new ulong[] { 1 }, 1UL, 2UL, false)]
    [InlineData(new ulong[] { 1, 1 }, 1UL, 1UL, true)]
    // The candidate has a later last term.
    [InlineData(new ulong[] { 1 }, 2UL, 1UL, false)]
    [InlineData(new ulong[] { 1 }, 2UL, 2UL, false)]
    [InlineData(new ulong[] { 1, 1 }, 2UL, 1UL, false)]
    // The voter has a later last term.
    [InlineData(new ulong[] { 2 }, 1UL, 1UL, true)]
    [InlineData(new ulong[] { 2 }, 1UL, 2UL, true)]
    [InlineData(new ulong[] { 2, 1 }, 1UL, 1UL, true)]
    public void A_voter_denies_its_vote_to_a_candidate_with_a_less_up_to_date_log(ulong[] terms, ulong logTerm, ulong index, bool rejected)
    {
        var s = NewStorage(Ids(2));
        s.Append(EntsWithTerms(terms));
        var r = NewRaft(1, s);

        r.Step(Msg(2, 1, MessageType.MsgVote, term: 3, logTerm: logTerm, index: index));

        var m = Assert.Single(Read(r));
        Assert.Equal(MessageType.MsgVoteResp, m.Type);
        Assert.Equal(rejected, m.Reject);
    }

    [Theory]
    [InlineData(1UL, 0UL)]
    [InlineData(2UL, 0UL)]
    [InlineData(3UL, 3UL)]
    public void Only_entries_of_the_current_term_commit_by_counting_replicas(ulong ackIndex, ulong wantCommit)
    {
        var s = NewStorage(Ids(2));
        s.Append(EntsWithTerms(1, 2));
        var r = NewRaft(1, s);
        r.LoadState(HardState.Of(2, 0, 0));
        MakeLeader(r);
        Read(r);
        r.Step(PropEmpty(1));

        r.Step(Msg(2, 1, MessageType.MsgAppResp, term: r.Term, index: ackIndex));

        Assert.Equal(wantCommit, r.Log.Committed);
    }

    [Fact]
    public void Figure_8_an_old_term_entry_on_a_majority_is_not_committed_and_may_be_overwritten()
    {
        // Figure 8 (c): S1 leads in term 4 and has copied its term-2 entry at index 2 to S2 and
        // S3, a majority. S5 holds a term-3 entry at index 2 that no one else has.
        var s = Figure8Members();
        var (s1, s2, s3, s4, s5) = (s[0], s[1], s[2], s[3], s[4]);
        var net = TestNetwork.Of(s1, s2, s3, s4, s5);
        // S1's new-term entry must not reach anyone, or it would commit index 2 legitimately.
        net.Ignore(MessageType.MsgApp);
        net.Send(Hup(1));
        Assert.Equal(RaftRole.Leader, s1.State);
        Assert.Equal(5UL, s1.Term);

        // S2 and S3 acknowledge index 2 (which they hold): a majority, but of an older term.
        s1.Step(Msg(2, 1, MessageType.MsgAppResp, term: 5, index: 2));
        s1.Step(Msg(3, 1, MessageType.MsgAppResp, term: 5, index: 2));
        Assert.Equal(0UL, s1.Log.Committed);

        // (d) S1 crashes; S5 can win with votes from S2, S3, S4 (its last term 3 beats their 2)...
        net.Recover();
        net.Isolate(1);
        net.Send(Hup(5));
        Assert.Equal(RaftRole.Leader, s5.State);

        // ...and replaces index 2 everywhere it reaches: the term-2 entry was never committed.
        net.Send(PropEmpty(5));
        foreach (var r in new[] { s2, s3, s4, s5 })
        {
            Assert.Equal(3UL, r.Log.TermOrZero(2));
            Assert.True(r.Log.Committed >= 2);
        }
    }

    [Fact]
    public void Figure_8_once_an_entry_of_the_leader_term_commits_the_older_entries_are_safe()
    {
        var s = Figure8Members();
        var (s1, s2, s3, s4, s5) = (s[0], s[1], s[2], s[3], s[4]);
        var net = TestNetwork.Of(s1, s2, s3, s4, s5);
        net.Isolate(4);
        net.Isolate(5);
        net.Send(Hup(1));

        // (e) S1 replicates its term-5 entry to S2 and S3: index 2 and 3 commit.
        Assert.Equal(RaftRole.Leader, s1.State);
        Assert.Equal(3UL, s1.Log.Committed);

        // S5 can no longer win: the majority's logs end in a later term than its own.
        net.Recover();
        net.Isolate(1);
        net.Send(Hup(5));
        Assert.NotEqual(RaftRole.Leader, s5.State);
        Assert.Equal(2UL, s2.Log.TermOrZero(2));
        Assert.Equal(2UL, s3.Log.TermOrZero(2));
    }

    [Fact]
    public void A_new_leader_does_not_commit_earlier_entries_until_an_entry_of_its_term_commits()
    {
        var net = LeaderWithUncommittedEntries();
        // Keep 2's empty entry from reaching anyone.
        net.Ignore(MessageType.MsgApp);
        net.Send(Hup(2));
        Assert.Equal(1UL, net[2].Log.Committed);

        net.Recover();
        net.Send(Beat(2));
        net.Send(Prop(2));
        Assert.Equal(5UL, net[2].Log.Committed);
    }

    [Fact]
    public void A_new_leader_commits_earlier_entries_through_its_own_empty_entry()
    {
        var net = LeaderWithUncommittedEntries();
        // Electing 2 commits its empty entry, and with it everything before.
        net.Send(Hup(2));
        Assert.Equal(4UL, net[1].Log.Committed);
    }

    public static TheoryData<ulong[], ulong[], ulong, ulong> Quorums() => new()
    {
        // single
        { new ulong[] { 1 }, new ulong[] { 1 }, 1, 1 },
        { new ulong[] { 1 }, new ulong[] { 1 }, 2, 0 },
        { new ulong[] { 2 }, new ulong[] { 1, 2 }, 2, 2 },
        { new ulong[] { 1 }, new ulong[] { 2 }, 2, 1 },
        // odd
        { new ulong[] { 2, 1, 1 }, new ulong[] { 1, 2 }, 1, 1 },
        { new ulong[] { 2, 1, 1 }, new ulong[] { 1, 1 }, 2, 0 },
        { new ulong[] { 2, 1, 2 }, new ulong[] { 1, 2 }, 2, 2 },
        { new ulong[] { 2, 1, 2 }, new ulong[] { 1, 1 }, 2, 0 },
        // even
        { new ulong[] { 2, 1, 1, 1 }, new ulong[] { 1, 2 }, 1, 1 },
        { new ulong[] { 2, 1, 1, 1 }, new ulong[] { 1, 1 }, 2, 0 },
        { new ulong[] { 2, 1, 1, 2 }, new ulong[] { 1, 2 }, 1, 1 },
        { new ulong[] { 2, 1, 1, 2 }, new ulong[] { 1, 1 }, 2, 0 },
        { new ulong[] { 2, 1, 2, 2 }, new ulong[] { 1, 2 }, 2, 2 },
        { new ulong[] { 2, 1, 2, 2 }, new ulong[] { 1, 1 }, 2, 0 },
    };

    [Theory]
    [MemberData(nameof(Quorums))]
    public void The_commit_index_is_the_highest_index_of_the_current_term_on_a_majority(ulong[] matches, ulong[] terms, ulong term, ulong want)
    {
        var s = NewStorage(Ids(1));
        s.Append(EntsWithTerms(terms));
        s.SetHardState(HardState.Of(term, 0, 0));
        var r = NewRaft(1, s, 10, 2);
        for (var j = 0; j < matches.Length; j++)
        {
            var id = (ulong)j + 1;
            if (id > 1)
            {
                r.ApplyConfChange(Cc(ConfChangeType.ConfChangeAddNode, id));
            }
            var pr = r.Tracker.Get(id)!;
            pr.Match = matches[j];
            pr.Next = matches[j] + 1;
        }

        r.MaybeCommit();

        Assert.Equal(want, r.Log.Committed);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_winner_of_a_later_election_overwrites_newer_uncommitted_entries(bool preVote)
    {
        // 1 won term 1 and copied an entry to 2; 3 won term 2 and wrote an entry no one got;
        // 4 and 5 voted in term 2. Every log could win term 3.
        Func<RaftConfig, RaftConfig>? cfg = preVote ? PreVote : null;
        var net = TestNetwork.Of(
            Member(1, terms: [1], term: 1, configure: cfg),
            Member(2, terms: [1], term: 1, configure: cfg),
            Member(3, terms: [2], term: 2, configure: cfg),
            Voted(4, vote: 3, term: 2, cfg),
            Voted(5, vote: 3, term: 2, cfg));

        // The first campaign fails, as a quorum already saw term 2; 1 moves to term 2.
        net.Send(Hup(1));
        Assert.Equal(RaftRole.Follower, net[1].State);
        Assert.Equal(2UL, net[1].Term);

        // The second succeeds.
        net.Send(Hup(1));
        Assert.Equal(RaftRole.Leader, net[1].State);
        Assert.Equal(3UL, net[1].Term);

        foreach (var id in Ids(5))
        {
            Assert.Equal(new ulong[] { 1, 3 }, AllEntries(net[id]).Select(e => e.Term));
        }
    }

    [Fact]
    public void Messages_from_an_older_leader_do_not_change_the_log()
    {
        var net = TestNetwork.Of(null, null, null);
        // 1 leads at term 3 after three elections.
        net.Send(Hup(1));
        net.Send(Hup(2));
        net.Send(Hup(1));
        // The leader of term 2 tries to append: ignored.
        net.Send(Msg(2, 1, MessageType.MsgApp, term: 2, index: 2, logTerm: 2, entries: Ent(2, 3)));
        net.Send(Prop(1, "somedata"));

        foreach (var id in Ids(3))
        {
            var r = net[id];
            Assert.Equal(4UL, r.Log.Committed);
            Assert.Equal(new[] { Ent(1, 1), Ent(2, 2), Ent(3, 3), Ent(3, 4, "somedata") }, AllEntries(r));
        }
    }

    /// <summary>
    /// Five members; 1 leads term 1 and has appended two entries that reached only 2. The network
    /// is whole again.
    /// </summary>
    private static TestNetwork LeaderWithUncommittedEntries()
    {
        var net = TestNetwork.Of(null, null, null, null, null);
        net.Send(Hup(1));
        net.Cut(1, 3);
        net.Cut(1, 4);
        net.Cut(1, 5);
        net.Send(Prop(1));
        net.Send(Prop(1));
        Assert.Equal(1UL, net[1].Log.Committed);
        net.Recover();
        return net;
    }

    /// <summary>Figure 8 (c): S1 and its term-2 entry on S2 and S3; S5 with a term-3 entry.</summary>
    private static RaftStateMachine[] Figure8Members() =>
    [
        Member(1, terms: [1, 2], term: 4),
        Member(2, terms: [1, 2], term: 4),
        Member(3, terms: [1, 2], term: 4),
        Member(4, terms: [1], term: 4),
        Member(5, terms: [1, 3], term: 4),
    ];

    private static RaftStateMachine Member(ulong id, ulong[] terms, ulong term, Func<RaftConfig, RaftConfig>? configure = null)
    {
        var s = NewStorage(Ids(5));
        s.Append(EntsWithTerms(terms));
        s.SetHardState(HardState.Of(term, 0, 0));
        return NewRaft(id, s, configure: configure);
    }

    private static RaftStateMachine Voted(ulong id, ulong vote, ulong term, Func<RaftConfig, RaftConfig>? configure)
    {
        var s = NewStorage(Ids(5));
        s.SetHardState(HardState.Of(term, vote, 0));
        return NewRaft(id, s, configure: configure);
    }
}
