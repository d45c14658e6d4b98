using Cairn.Protocol.Raftpb;
using Cairn.Raft.Core;
using Cairn.Raft.Tests.Harness;
using Google.Protobuf;
using static Cairn.Raft.Tests.Harness.Kit;

namespace Cairn.Raft.Tests.Scenarios;

/// <summary>
/// ReadIndex in lease-based mode (etcd's ReadOnlyLeaseBased): the leader trusts that CheckQuorum
/// would have deposed it, and answers from its commit index without a heartbeat round.
/// </summary>
public class LeaseReadIndexTests
{
    private static RaftConfig Lease(RaftConfig c) => c with { ReadOnlyOption = ReadOnlyOption.LeaseBased, CheckQuorum = true };

    private static ByteString Ctx(string s) => ByteString.CopyFromUtf8(s);

    [Fact]
    public void Lease_mode_is_refused_without_CheckQuorum_as_etcd_refuses_it()
    {
        var e = Assert.Throws<RaftConfigException>(() =>
            NewRaft(1, Ids(3), configure: c => c with { ReadOnlyOption = ReadOnlyOption.LeaseBased }));
        Assert.Equal("CheckQuorum must be enabled when ReadOnlyOption is ReadOnlyLeaseBased", e.Message);

        Assert.Equal(ReadOnlyOption.LeaseBased, NewRaft(1, Ids(3), configure: Lease).ReadOnlyOption);
    }

    [Fact]
    public void The_leader_answers_in_the_next_ready_without_a_heartbeat_round()
    {
        var storage = NewStorage([1, 2, 3]);
        var node = new RaftNode(Lease(Config(1, storage)));
        node.Campaign();
        node.Step(Msg(2, 1, MessageType.MsgVoteResp, term: 1));
        node.Step(Msg(2, 1, MessageType.MsgAppResp, term: 1, index: 1));
        var rd = node.Ready();
        storage.Persist(rd);
        node.Advance(rd);
        Assert.Equal(1UL, node.Status().Commit);

        Assert.Equal(ProposalStatus.Accepted, node.ReadIndex(Ctx("ctx")).Status);

        rd = node.Ready();
        var rs = Assert.Single(rd.ReadStates);
        Assert.Equal(1UL, rs.Index);
        Assert.Equal("ctx", rs.RequestContext.ToStringUtf8());
        Assert.DoesNotContain(rd.Messages, m => m.Type == MessageType.MsgHeartbeat);
        Assert.All(rd.Messages, m => Assert.True(m.Context.IsEmpty));
    }

    [Fact]
    public void A_follower_read_is_answered_at_once_with_the_leader_commit_index()
    {
        var r = CommittedLeader(3, out _, Lease);

        r.Step(Msg(2, 1, MessageType.MsgReadIndex, entries: Entry.Of(0, 0, EntryType.EntryNormal, Ctx("ctx"))));

        var resp = Assert.Single(Read(r));
        Assert.Equal(MessageType.MsgReadIndexResp, resp.Type);
        Assert.Equal(2UL, resp.To);
        Assert.Equal(r.Log.Committed, resp.Index);
        Assert.Equal("ctx", Assert.Single(resp.Entries).Data.ToStringUtf8());
    }

    [Fact]
    public void A_new_leader_holds_the_read_until_an_entry_of_its_term_commits()
    {
        var r = NewRaft(1, Ids(3), configure: Lease);
        MakeLeader(r);
        Read(r);

        Assert.Equal(ProposalStatus.Accepted, r.ReadIndex(Ctx("early")));
        Assert.Empty(r.ReadStates);
        Assert.Empty(Read(r));
        Assert.Equal(1, r.PendingReadIndexCount);

        // The acknowledgement that commits its empty entry releases the read, still without a
        // heartbeat round.
        r.Step(Msg(2, 1, MessageType.MsgAppResp, term: r.Term, index: r.Log.LastIndex()));

        Assert.Equal(r.Term, r.Log.TermOrZero(r.Log.Committed));
        var rs = Assert.Single(r.TakeReadStates());
        Assert.Equal(r.Log.Committed, rs.Index);
        Assert.Equal("early", rs.RequestContext.ToStringUtf8());
        Assert.DoesNotContain(Read(r), m => m.Type == MessageType.MsgHeartbeat);
        Assert.Equal(0, r.PendingReadIndexCount);
    }

    [Fact]
    public void A_leader_deposed_by_CheckQuorum_no_longer_answers()
    {
        var r = CommittedLeader(3, out _, Lease);

        // The first check still counts the acknowledgements of the empty entry; the second finds none.
        for (var i = 0; i < 2 * r.ElectionTimeout; i++)
        {
            r.Tick();
        }
        Read(r);
        Assert.Equal(RaftRole.Follower, r.State);

        Assert.Equal(ProposalStatus.DroppedNoLeader, r.ReadIndex(Ctx("late")));
        Assert.Empty(r.ReadStates);
        Assert.Empty(Read(r));
    }

    [Fact]
    public void A_read_held_for_a_commit_is_dropped_when_CheckQuorum_deposes_the_leader()
    {
        var r = NewRaft(1, Ids(3), configure: Lease);
        MakeLeader(r);
        r.ReadIndex(Ctx("held"));

        for (var i = 0; i < r.ElectionTimeout; i++)
        {
            r.Tick();
        }
        Assert.Equal(RaftRole.Follower, r.State);
        Assert.Equal(0, r.PendingReadIndexCount);

        // Even leading again in a later term, it never answers the old request.
        r.BecomeCandidate();
        r.BecomeLeader();
        r.Step(Msg(2, 1, MessageType.MsgAppResp, term: r.Term, index: r.Log.LastIndex()));
        Assert.Empty(r.ReadStates);
    }

    /// <summary>
    /// The known weakness of etcd's lease (etcd-io/raft#166), kept for parity and pinned here so
    /// that nobody mistakes lease mode for linearizable: followers stop honouring the lease one
    /// election timeout after they last heard the leader, but the leader only notices at its
    /// second CheckQuorum, up to two timeouts later. In between it answers from a stale commit
    /// index, even with perfectly synchronous ticks. This is why the simulation, whose checker
    /// requires linearizable reads, never runs lease mode, and why the server uses safe mode.
    /// </summary>
    [Fact]
    public void Like_etcd_a_partitioned_leader_answers_stale_reads_until_its_second_quorum_check()
    {
        var m = Ids(3).Select(id => NewRaft(id, Ids(3), configure: Lease)).ToArray();
        var net = TestNetwork.Of(m[0], m[1], m[2]);
        ElectFirstWithSecondTimerAdvanced(m, net);
        net.Send(PropEmpty(1));
        var staleCommit = m[0].Log.Committed;

        // 1 is cut off at once. Isolate filters only what deliveries produce, so what 1 sends on
        // its own ticks is discarded here, and 2's and 3's tick output is kept away from 1.
        net.Isolate(1);
        m[1].RandomizedElectionTimeout = 2 * m[1].ElectionTimeout - 1;
        m[2].RandomizedElectionTimeout = m[2].ElectionTimeout;
        for (var i = 0; i < m[0].ElectionTimeout; i++)
        {
            m[0].Tick();
            Read(m[0]);
            m[1].Tick();
            m[2].Tick();
            net.Send(Read(m[1]).Concat(Read(m[2])).Where(x => x.To != 1).ToArray());
        }
        net.Send(Prop(3, "newer"));
        Assert.Equal(RaftRole.Leader, m[2].State);
        Assert.True(m[2].Log.Committed > staleCommit);

        // 3 leads and has committed more, yet 1 still leads its older term and answers at once.
        Assert.Equal(RaftRole.Leader, m[0].State);
        m[0].ReadIndex(Ctx("stale"));
        Assert.Equal(staleCommit, Assert.Single(m[0].TakeReadStates()).Index);

        // Its second check finds no quorum: from then on it answers nothing.
        for (var i = 0; i < m[0].ElectionTimeout; i++)
        {
            m[0].Tick();
        }
        Assert.Equal(RaftRole.Follower, m[0].State);
        Assert.Equal(ProposalStatus.DroppedNoLeader, m[0].ReadIndex(Ctx("late")));
    }
}
