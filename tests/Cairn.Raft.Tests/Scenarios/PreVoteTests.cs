using Cairn.Protocol.Raftpb;
using Cairn.Raft.Core;
using Cairn.Raft.Tests.Harness;
using static Cairn.Raft.Tests.Harness.Kit;

namespace Cairn.Raft.Tests.Scenarios;

/// <summary>PreVote (Raft thesis §9.6): a member that cannot win does not raise terms.</summary>
public class PreVoteTests
{
    private static RaftStateMachine[] Members(bool preVote, bool checkQuorum = false)
    {
        var ids = Ids(3);
        return ids.Select(id => NewRaft(id, ids, configure: c => c with { PreVote = preVote, CheckQuorum = checkQuorum })).ToArray();
    }

    [Fact]
    public void A_rejoining_partitioned_member_does_not_disrupt_a_healthy_leader()
    {
        var m = Members(preVote: true, checkQuorum: true);
        var net = TestNetwork.Of(m[0], m[1], m[2]);
        net.Send(Hup(1));
        Assert.Equal(RaftRole.Leader, m[0].State);

        // 3 is partitioned; its election timer fires again and again.
        net.Isolate(3);
        for (var i = 0; i < 5 * m[2].ElectionTimeout; i++)
        {
            m[2].Tick();
            Read(m[2]);
        }
        net.Send(Prop(1, "while 3 was away"));
        Assert.Equal(RaftRole.PreCandidate, m[2].State);
        Assert.Equal(1UL, m[2].Term);

        // It comes back and campaigns: the others refuse the pre-vote, no term changes.
        net.Recover();
        net.Send(Hup(3));
        Assert.Equal(RaftRole.Leader, m[0].State);
        Assert.Equal(1UL, m[0].Term);
        Assert.Equal(1UL, m[1].Term);
        Assert.Equal(1UL, m[2].Term);

        // The next heartbeat brings it back as a follower that catches up.
        net.Send(Beat(1));
        Assert.Equal(RaftRole.Follower, m[2].State);
        Assert.Equal(1UL, m[2].Lead);
        Assert.Equal(m[0].Log.Committed, m[2].Log.Committed);
    }

    [Fact]
    public void Without_pre_vote_a_rejoining_member_forces_a_new_election()
    {
        var m = Members(preVote: false, checkQuorum: true);
        var net = TestNetwork.Of(m[0], m[1], m[2]);
        net.Send(Hup(1));
        net.Isolate(3);
        net.Send(Prop(1));
        // 3 campaigns while cut off: term 2.
        net.Send(Hup(3));
        Assert.Equal(2UL, m[2].Term);
        Assert.Equal(RaftRole.Candidate, m[2].State);

        net.Recover();
        // The leader's heartbeat to 3 draws an answer of a higher term: the leader steps down.
        net.Send(Msg(1, 3, MessageType.MsgHeartbeat, term: m[0].Term));
        Assert.Equal(RaftRole.Follower, m[0].State);
        Assert.Equal(2UL, m[0].Term);
    }

    [Fact]
    public void A_pre_candidate_with_a_stale_log_stays_a_pre_candidate_at_its_term()
    {
        var m = Members(preVote: true);
        foreach (var r in m)
        {
            r.BecomeFollower(1, 0);
        }
        var net = TestNetwork.Of(m[0], m[1], m[2]);
        net.Cut(1, 3);
        net.Cut(2, 3);
        net.Send(Hup(1));
        Assert.Equal(RaftRole.Leader, m[0].State);
        Assert.Equal(RaftRole.Follower, m[1].State);

        net.Send(Hup(3));
        Assert.Equal(RaftRole.PreCandidate, m[2].State);

        net.Send(Hup(2));
        Assert.Equal(3UL, m[0].Term);
        Assert.Equal(3UL, m[1].Term);
        Assert.Equal(1UL, m[2].Term);
        Assert.Equal(RaftRole.Follower, m[0].State);
        Assert.Equal(RaftRole.Leader, m[1].State);
        Assert.Equal(RaftRole.PreCandidate, m[2].State);

        // 2 goes away; 1 and 3 must still be able to elect one of them (3 with the smaller term).
        net.Recover();
        net.Cut(2, 1);
        net.Cut(2, 3);
        net.Send(Hup(3));
        net.Send(Hup(1));
        Assert.True(m[0].State == RaftRole.Leader || m[2].State == RaftRole.Leader, "no leader");
    }

    [Fact]
    public void A_split_pre_vote_resolves_in_a_later_election()
    {
        var m = Members(preVote: true);
        foreach (var r in m)
        {
            r.BecomeFollower(1, 0);
        }
        var net = TestNetwork.Of(m[0], m[1], m[2]);
        net.Send(Hup(1));

        // The leader fails; 2 and 3 both pass the pre-vote and split the real vote.
        net.Isolate(1);
        net.Send(Hup(2), Hup(3));
        Assert.Equal(3UL, m[1].Term);
        Assert.Equal(3UL, m[2].Term);
        Assert.Equal(RaftRole.Candidate, m[1].State);
        Assert.Equal(RaftRole.Candidate, m[2].State);

        net.Send(Hup(2));
        Assert.Equal(4UL, m[1].Term);
        Assert.Equal(4UL, m[2].Term);
        Assert.Equal(RaftRole.Leader, m[1].State);
        Assert.Equal(RaftRole.Follower, m[2].State);
    }

    [Fact]
    public void With_check_quorum_the_remaining_members_still_elect_a_leader_when_it_fails()
    {
        var m = Members(preVote: true, checkQuorum: true);
        foreach (var r in m)
        {
            r.BecomeFollower(1, 0);
        }
        var net = TestNetwork.Of(m[0], m[1], m[2]);
        net.Send(Hup(1));
        net.Isolate(1);

        // Their leases have not expired, but they have not heard anything either: the
        // pre-vote of one is granted by the other once it campaigns itself.
        net.Send(Hup(3));
        net.Send(Hup(2));

        Assert.True(m[1].State == RaftRole.Leader || m[2].State == RaftRole.Leader, "no leader");
    }

    [Fact]
    public void A_pre_vote_is_answered_with_the_term_it_asked_for()
    {
        var r = NewRaft(1, Ids(3), configure: PreVote);
        r.BecomeFollower(2, 0);

        r.Step(Msg(2, 1, MessageType.MsgPreVote, term: 3, logTerm: 0, index: 0));

        var resp = Assert.Single(Read(r));
        Assert.Equal(MessageType.MsgPreVoteResp, resp.Type);
        Assert.Equal(3UL, resp.Term);
        Assert.False(resp.Reject);
        // A pre-vote changes neither term nor vote.
        Assert.Equal(2UL, r.Term);
        Assert.Equal(0UL, r.Vote);
    }

    [Fact]
    public void A_pre_vote_for_an_older_term_is_rejected_explicitly()
    {
        var r = NewRaft(1, Ids(3), configure: PreVote);
        r.BecomeFollower(5, 0);

        r.Step(Msg(2, 1, MessageType.MsgPreVote, term: 3));

        Assert.Equal(new[] { Msg(1, 2, MessageType.MsgPreVoteResp, term: 5, reject: true) }, Read(r));
    }
}
