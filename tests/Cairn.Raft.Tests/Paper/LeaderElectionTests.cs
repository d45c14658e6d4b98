using Cairn.Protocol.Raftpb;
using Cairn.Raft.Core;
using Cairn.Raft.Tests.Harness;
using static Cairn.Raft.Tests.Harness.Kit;

namespace Cairn.Raft.Tests.Paper;

/// <summary>Raft paper §5.1 and §5.2: terms and leader election (after etcd's raft_paper_test).</summary>
public class LeaderElectionTests
{
    [Theory]
    [InlineData(RaftRole.Follower)]
    [InlineData(RaftRole.Candidate)]
    [InlineData(RaftRole.Leader)]
    public void A_message_with_a_higher_term_updates_the_term_and_reverts_to_follower(RaftRole role)
    {
        var r = NewRaft(1, Ids(3));
        switch (role)
        {
            case RaftRole.Follower:
                r.BecomeFollower(1, 2);
                break;
            case RaftRole.Candidate:
                r.BecomeCandidate();
                break;
            default:
                MakeLeader(r);
                break;
        }

        r.Step(Msg(2, 1, MessageType.MsgApp, term: 2));

        Assert.Equal(2UL, r.Term);
        Assert.Equal(RaftRole.Follower, r.State);
    }

    [Fact]
    public void A_message_with_a_stale_term_is_ignored()
    {
        var r = NewRaft(1, Ids(3));
        r.LoadState(HardState.Of(2, 0, 0));

        var result = r.Step(Msg(2, 1, MessageType.MsgApp, term: 1, entries: Ent(1, 1)));

        Assert.True(result.IsOk);
        Assert.Equal(2UL, r.Term);
        Assert.Equal(0UL, r.Log.LastIndex());
        Assert.Empty(Read(r));
    }

    [Fact]
    public void Members_start_as_followers()
    {
        Assert.Equal(RaftRole.Follower, NewRaft(1, Ids(3)).State);
    }

    [Fact]
    public void A_leader_sends_heartbeats_every_heartbeat_interval()
    {
        var r = NewRaft(1, Ids(3));
        MakeLeader(r);
        for (var i = 0; i < 10; i++)
        {
            r.Propose(new Entry());
        }
        Read(r);

        r.Tick();

        Assert.Equal(
            new[] { Msg(1, 2, MessageType.MsgHeartbeat, term: 1), Msg(1, 3, MessageType.MsgHeartbeat, term: 1) },
            ReadSorted(r));
    }

    [Theory]
    [InlineData(RaftRole.Follower)]
    [InlineData(RaftRole.Candidate)]
    public void Without_news_from_a_leader_a_member_starts_an_election_for_the_next_term(RaftRole role)
    {
        var r = NewRaft(1, Ids(3));
        if (role == RaftRole.Follower)
        {
            r.BecomeFollower(1, 2);
        }
        else
        {
            r.BecomeCandidate();
        }

        for (var i = 1; i < 2 * 10; i++)
        {
            r.Tick();
        }

        Assert.Equal(2UL, r.Term);
        Assert.Equal(RaftRole.Candidate, r.State);
        Assert.Equal(1UL, r.Vote);
        var vote1 = Msg(1, 2, MessageType.MsgVote, term: 2);
        var vote2 = Msg(1, 3, MessageType.MsgVote, term: 2);
        Assert.Equal(new[] { vote1, vote2 }, ReadSorted(r));
    }

    public static TheoryData<int, Dictionary<ulong, bool>, RaftRole> OneRoundElections() => new()
    {
        // A majority of grants wins.
        { 1, new Dictionary<ulong, bool>(), RaftRole.Leader },
        { 3, new Dictionary<ulong, bool> { [2] = true, [3] = true }, RaftRole.Leader },
        { 3, new Dictionary<ulong, bool> { [2] = true }, RaftRole.Leader },
        { 5, new Dictionary<ulong, bool> { [2] = true, [3] = true, [4] = true, [5] = true }, RaftRole.Leader },
        { 5, new Dictionary<ulong, bool> { [2] = true, [3] = true, [4] = true }, RaftRole.Leader },
        { 5, new Dictionary<ulong, bool> { [2] = true, [3] = true }, RaftRole.Leader },
        // A majority of rejections sends the candidate back to follower.
        { 3, new Dictionary<ulong, bool> { [2] = false, [3] = false }, RaftRole.Follower },
        { 5, new Dictionary<ulong, bool> { [2] = false, [3] = false, [4] = false, [5] = false }, RaftRole.Follower },
        { 5, new Dictionary<ulong, bool> { [2] = true, [3] = false, [4] = false, [5] = false }, RaftRole.Follower },
        // Otherwise it stays a candidate.
        { 3, new Dictionary<ulong, bool>(), RaftRole.Candidate },
        { 5, new Dictionary<ulong, bool> { [2] = true }, RaftRole.Candidate },
        { 5, new Dictionary<ulong, bool> { [2] = false, [3] = false }, RaftRole.Candidate },
        { 5, new Dictionary<ulong, bool>(), RaftRole.Candidate },
    };

    [Theory]
    [MemberData(nameof(OneRoundElections))]
    public void A_candidate_wins_with_a_majority_of_votes_and_loses_with_a_majority_of_rejections(int size, Dictionary<ulong, bool> votes, RaftRole expected)
    {
        var r = NewRaft(1, Ids(size));
        r.Step(Hup(1));
        foreach (var (id, granted) in votes)
        {
            r.Step(Msg(id, 1, MessageType.MsgVoteResp, term: r.Term, reject: !granted));
        }

        Assert.Equal(expected, r.State);
        Assert.Equal(1UL, r.Term);
    }

    [Theory]
    [InlineData(0UL, 1UL, false)]
    [InlineData(0UL, 2UL, false)]
    [InlineData(1UL, 1UL, false)]
    [InlineData(2UL, 2UL, false)]
    [InlineData(1UL, 2UL, true)]
    [InlineData(2UL, 1UL, true)]
    public void A_member_votes_for_at_most_one_candidate_per_term_first_come_first_served(ulong vote, ulong candidate, bool rejected)
    {
        var r = NewRaft(1, Ids(3));
        r.LoadState(HardState.Of(1, vote, 0));

        r.Step(Msg(candidate, 1, MessageType.MsgVote, term: 1));

        Assert.Equal(new[] { Msg(1, candidate, MessageType.MsgVoteResp, term: 1, reject: rejected) }, Read(r));
    }

    [Theory]
    [InlineData(1UL)]
    [InlineData(2UL)]
    public void A_candidate_hearing_from_a_leader_of_its_term_or_later_becomes_follower(ulong term)
    {
        var r = NewRaft(1, Ids(3));
        r.Step(Hup(1));
        Assert.Equal(RaftRole.Candidate, r.State);

        r.Step(Msg(2, 1, MessageType.MsgApp, term: term));

        Assert.Equal(RaftRole.Follower, r.State);
        Assert.Equal(term, r.Term);
    }

    [Theory]
    [InlineData(RaftRole.Follower)]
    [InlineData(RaftRole.Candidate)]
    public void Election_timeouts_are_drawn_from_the_whole_randomized_range(RaftRole role)
    {
        const int et = 10;
        var r = NewRaft(1, Ids(3), et);
        var seen = new HashSet<int>();
        for (var round = 0; round < 50 * et; round++)
        {
            if (role == RaftRole.Follower)
            {
                r.BecomeFollower(r.Term + 1, 2);
            }
            else
            {
                r.BecomeCandidate();
            }
            var time = 0;
            while (Read(r).Count == 0)
            {
                r.Tick();
                time++;
            }
            seen.Add(time);
        }

        for (var d = et + 1; d < 2 * et; d++)
        {
            Assert.Contains(d, seen);
        }
        Assert.All(seen, t => Assert.InRange(t, et, 2 * et - 1));
    }

    [Theory]
    [InlineData(RaftRole.Follower)]
    [InlineData(RaftRole.Candidate)]
    public void Randomized_timeouts_make_simultaneous_elections_rare(RaftRole role)
    {
        var ids = Ids(5);
        var rs = ids.Select(id => NewRaft(id, ids)).ToArray();
        var conflicts = 0;
        for (var round = 0; round < 1000; round++)
        {
            foreach (var r in rs)
            {
                if (role == RaftRole.Follower)
                {
                    r.BecomeFollower(r.Term + 1, 0);
                }
                else
                {
                    r.BecomeCandidate();
                }
            }
            var timedOut = 0;
            while (timedOut == 0)
            {
                foreach (var r in rs)
                {
                    r.Tick();
                    if (Read(r).Count > 0)
                    {
                        timedOut++;
                    }
                }
            }
            if (timedOut > 1)
            {
                conflicts++;
            }
        }

        Assert.True(conflicts / 1000.0 <= 0.3, $"probability of conflicts = {conflicts / 1000.0}, want <= 0.3");
    }

    [Fact]
    public void Elections_succeed_with_a_quorum_and_fail_without_one()
    {
        var cases = new (TestNetwork Net, RaftRole State, ulong Term)[]
        {
            (TestNetwork.Of(null, null, null), RaftRole.Leader, 1),
            (TestNetwork.Of(null, null, BlackHole.Instance), RaftRole.Leader, 1),
            (TestNetwork.Of(null, BlackHole.Instance, BlackHole.Instance), RaftRole.Candidate, 1),
            (TestNetwork.Of(null, BlackHole.Instance, BlackHole.Instance, null), RaftRole.Candidate, 1),
            (TestNetwork.Of(null, BlackHole.Instance, BlackHole.Instance, null, null), RaftRole.Leader, 1),
            // Three members with logs further ahead than the candidate's: 1 cannot win.
            (TestNetwork.Of(null, WithLog(2, 1), WithLog(3, 1), WithLog(4, 1, 1), null), RaftRole.Follower, 1),
        };
        foreach (var (net, state, term) in cases)
        {
            net.Send(Hup(1));
            Assert.Equal(state, net[1].State);
            Assert.Equal(term, net[1].Term);
        }
    }

    [Fact]
    public void With_pre_vote_a_failed_election_does_not_raise_the_term()
    {
        var net = TestNetwork.With(PreVote, null, BlackHole.Instance, BlackHole.Instance);
        net.Send(Hup(1));
        Assert.Equal(RaftRole.PreCandidate, net[1].State);
        Assert.Equal(0UL, net[1].Term);

        var winner = TestNetwork.With(PreVote, null, null, null);
        winner.Send(Hup(1));
        Assert.Equal(RaftRole.Leader, winner[1].State);
        Assert.Equal(1UL, winner[1].Term);
    }

    [Fact]
    public void A_single_member_elects_itself_at_once()
    {
        var r = NewRaft(1, Ids(1));
        r.Step(Hup(1));
        Assert.Equal(RaftRole.Leader, r.State);

        var p = NewRaft(1, Ids(1), configure: PreVote);
        p.Step(Hup(1));
        Assert.Equal(RaftRole.Leader, p.State);
    }

    [Fact]
    public void Dueling_candidates_settle_on_the_one_with_the_longer_log()
    {
        var net = TestNetwork.Of(null, null, null);
        net.Cut(1, 3);
        net.Send(Hup(1));
        net.Send(Hup(3));

        // 1 wins with 2's vote; 3 stays a candidate.
        Assert.Equal(RaftRole.Leader, net[1].State);
        Assert.Equal(RaftRole.Candidate, net[3].State);

        net.Recover();
        // 3 campaigns again at a higher term; 1 steps down, but 3's log is shorter so it loses.
        net.Send(Hup(3));

        Assert.Equal(RaftRole.Follower, net[1].State);
        Assert.Equal(RaftRole.Follower, net[2].State);
        Assert.Equal(RaftRole.Follower, net[3].State);
        Assert.Equal(2UL, net[1].Term);
        Assert.Equal(1UL, net[1].Log.LastIndex());
        Assert.Equal(1UL, net[1].Log.Committed);
        Assert.Equal(0UL, net[3].Log.LastIndex());
    }

    [Fact]
    public void A_candidate_concedes_to_a_leader_it_hears_from()
    {
        var net = TestNetwork.Of(null, null, null);
        net.Isolate(1);
        net.Send(Hup(1));
        net.Send(Hup(3));

        net.Recover();
        // 3's heartbeat reaches the candidate 1, which follows it.
        net.Send(Beat(3));
        net.Send(Prop(3, "force follower"));
        net.Send(Beat(3));

        Assert.Equal(RaftRole.Follower, net[1].State);
        Assert.Equal(1UL, net[1].Term);
        foreach (var id in Ids(3))
        {
            Assert.Equal(2UL, net[id].Log.Committed);
        }
    }

    [Fact]
    public void Every_member_can_lead_in_turn()
    {
        foreach (var preVote in new[] { false, true })
        {
            var net = TestNetwork.With(preVote ? PreVote : null, null, null, null);
            foreach (var campaigner in Ids(3))
            {
                net.Send(Hup(campaigner));
                foreach (var id in Ids(3))
                {
                    Assert.Equal(id == campaigner ? RaftRole.Leader : RaftRole.Follower, net[id].State);
                }
            }
        }
    }

    private static RaftStateMachine WithLog(ulong id, params ulong[] terms)
    {
        var s = NewStorage(Ids(5));
        s.Append(EntsWithTerms(terms));
        var r = NewRaft(id, s);
        r.LoadState(HardState.Of(terms[^1], 0, 0));
        r.BecomeFollower(terms[^1], 0);
        return r;
    }
}
