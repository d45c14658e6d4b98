using Cairn.Protocol.Raftpb;
using Cairn.Raft.Core;
using Cairn.Raft.Tests.Harness;
using static Cairn.Raft.Tests.Harness.Kit;

namespace Cairn.Raft.Tests.Scenarios;

/// <summary>CheckQuorum: a leader that cannot hear a quorum steps down; leases keep followers loyal.</summary>
public class CheckQuorumTests
{
    private static RaftStateMachine[] Members(int n = 3) =>
        Ids(n).Select(id => NewRaft(id, Ids(n), configure: CheckQuorum)).ToArray();

    [Fact]
    public void A_leader_that_hears_from_a_quorum_stays_leader()
    {
        var r = NewRaft(1, Ids(3), 5, configure: CheckQuorum);
        MakeLeader(r);

        for (var i = 0; i < r.ElectionTimeout + 1; i++)
        {
            r.Step(Msg(2, 1, MessageType.MsgHeartbeatResp, term: r.Term));
            r.Tick();
        }

        Assert.Equal(RaftRole.Leader, r.State);
    }

    [Fact]
    public void A_leader_that_hears_from_no_quorum_steps_down_after_an_election_timeout()
    {
        var r = NewRaft(1, Ids(3), 5, configure: CheckQuorum);
        MakeLeader(r);

        for (var i = 0; i < r.ElectionTimeout + 1; i++)
        {
            r.Tick();
        }

        Assert.Equal(RaftRole.Follower, r.State);
        Assert.Equal(0UL, r.Lead);
    }

    [Fact]
    public void A_partitioned_leader_steps_down_while_the_majority_elects_another()
    {
        var m = Members();
        var net = TestNetwork.Of(m[0], m[1], m[2]);
        net.Send(Hup(1));
        net.Isolate(1);

        // The first check still counts the answers to the election; the second finds none.
        for (var i = 0; i < 2 * m[0].ElectionTimeout; i++)
        {
            m[0].Tick();
        }
        Read(m[0]);

        Assert.Equal(RaftRole.Follower, m[0].State);
        for (var i = 0; i < 2 * m[1].ElectionTimeout; i++)
        {
            m[1].Tick();
            m[2].Tick();
            net.Send(Read(m[1]).Concat(Read(m[2])).ToArray());
        }
        Assert.True(m[1].State == RaftRole.Leader || m[2].State == RaftRole.Leader);
    }

    [Fact]
    public void Followers_in_their_lease_ignore_a_candidate_until_the_lease_expires()
    {
        var m = Members();
        var net = TestNetwork.Of(m[0], m[1], m[2]);
        ElectFirstWithSecondTimerAdvanced(m, net);
        Assert.Equal(RaftRole.Leader, m[0].State);
        Assert.Equal(RaftRole.Follower, m[2].State);

        // 2 heard from the leader recently (its lease runs): 3's campaign fails.
        net.Send(Hup(3));
        Assert.Equal(RaftRole.Candidate, m[2].State);

        // Once 2's lease expires, 3 wins.
        for (var i = 0; i < m[1].ElectionTimeout; i++)
        {
            m[1].Tick();
        }
        net.Send(Hup(3));
        Assert.Equal(RaftRole.Leader, m[2].State);
    }

    [Fact]
    public void Leader_election_works_once_leases_expire()
    {
        var m = Members();
        var net = TestNetwork.Of(m[0], m[1], m[2]);
        m[0].RandomizedElectionTimeout = m[0].ElectionTimeout + 1;
        m[1].RandomizedElectionTimeout = m[1].ElectionTimeout + 2;
        net.Send(Hup(1));
        Assert.Equal(RaftRole.Leader, m[0].State);
        Assert.Equal(RaftRole.Follower, m[2].State);

        m[0].RandomizedElectionTimeout = m[0].ElectionTimeout + 1;
        m[1].RandomizedElectionTimeout = m[1].ElectionTimeout + 2;
        for (var i = 0; i < m[0].ElectionTimeout; i++)
        {
            m[0].Tick();
        }
        for (var i = 0; i < m[1].ElectionTimeout; i++)
        {
            m[1].Tick();
        }
        net.Send(Hup(3));

        Assert.Equal(RaftRole.Follower, m[0].State);
        Assert.Equal(RaftRole.Leader, m[2].State);
    }

    [Fact]
    public void A_candidate_stuck_at_a_higher_term_is_freed_by_answering_the_leader()
    {
        var m = Members();
        var net = TestNetwork.Of(m[0], m[1], m[2]);
        ElectFirstWithSecondTimerAdvanced(m, net);

        net.Isolate(1);
        net.Send(Hup(3));
        Assert.Equal(RaftRole.Follower, m[1].State);
        Assert.Equal(RaftRole.Candidate, m[2].State);
        Assert.Equal(m[1].Term + 1, m[2].Term);

        // Its vote requests keep being ignored by 2, which is in its lease.
        net.Send(Hup(3));
        Assert.Equal(RaftRole.Candidate, m[2].State);
        Assert.Equal(m[1].Term + 2, m[2].Term);

        net.Recover();
        // The leader's heartbeat gets an answer with the higher term: the leader steps down.
        net.Send(Msg(1, 3, MessageType.MsgHeartbeat, term: m[0].Term));
        Assert.Equal(RaftRole.Follower, m[0].State);
        Assert.Equal(m[0].Term, m[2].Term);

        net.Send(Hup(3));
        Assert.Equal(RaftRole.Leader, m[2].State);
    }

    [Fact]
    public void A_removed_member_neither_campaigns_nor_disturbs_and_follows_the_leader()
    {
        var a = NewRaft(1, [1, 2], configure: CheckQuorum);
        var b = NewRaft(2, [1], configure: CheckQuorum);
        var net = TestNetwork.Of(a, b);
        b.RandomizedElectionTimeout = b.ElectionTimeout + 1;
        Assert.False(b.Promotable);

        for (var i = 0; i < b.ElectionTimeout; i++)
        {
            b.Tick();
        }
        net.Send(Hup(1));

        Assert.Equal(RaftRole.Leader, a.State);
        Assert.Equal(RaftRole.Follower, b.State);
        Assert.Equal(1UL, b.Lead);
    }
}
