using Cairn.Protocol.Raftpb;
using Cairn.Raft.Core;
using Cairn.Raft.Tests.Harness;
using Google.Protobuf;
using static Cairn.Raft.Tests.Harness.Kit;

namespace Cairn.Raft.Tests.Scenarios;

/// <summary>
/// Leadership transfer (Raft thesis §3.10): the target is brought up to date, then told to
/// campaign at once; the transfer is abandoned after an election timeout.
/// </summary>
public class LeaderTransferTests
{
    private static Message Transfer(ulong transferee, ulong to) => Msg(transferee, to, MessageType.MsgTransferLeader);

    private static void AssertState(RaftStateMachine r, RaftRole role, ulong lead)
    {
        Assert.Equal(role, r.State);
        Assert.Equal(lead, r.Lead);
        Assert.Equal(0UL, r.LeadTransferee);
    }

    private static TestNetwork Elected(Func<RaftConfig, RaftConfig>? configure = null)
    {
        var net = TestNetwork.With(configure, null, null, null);
        net.Send(Hup(1));
        Assert.Equal(1UL, net[1].Lead);
        return net;
    }

    [Fact]
    public void Leadership_moves_at_once_to_an_up_to_date_member_and_back()
    {
        var net = Elected();
        var lead = net[1];

        net.Send(Transfer(2, 1));
        AssertState(lead, RaftRole.Follower, 2);
        Assert.Equal(RaftRole.Leader, net[2].State);

        net.Send(PropEmpty(1));
        net.Send(Transfer(1, 2));
        AssertState(lead, RaftRole.Leader, 1);
    }

    [Fact]
    public void A_follower_asks_the_leader_to_make_it_leader()
    {
        var net = Elected();
        var lead = net[1];

        net.Send(Msg(2, 2, MessageType.MsgTransferLeader));
        AssertState(lead, RaftRole.Follower, 2);

        net.Send(PropEmpty(1));
        net.Send(Msg(1, 1, MessageType.MsgTransferLeader));
        AssertState(lead, RaftRole.Leader, 1);
    }

    [Fact]
    public void The_target_campaigns_past_the_leases_of_check_quorum()
    {
        var net = TestNetwork.With(CheckQuorum, null, null, null);
        for (ulong i = 1; i < 4; i++)
        {
            net[i].RandomizedElectionTimeout = net[i].ElectionTimeout + (int)i;
        }
        for (var i = 0; i < net[2].ElectionTimeout; i++)
        {
            net[2].Tick();
        }
        net.Send(Hup(1));
        var lead = net[1];
        Assert.Equal(1UL, lead.Lead);

        net.Send(Transfer(2, 1));
        AssertState(lead, RaftRole.Follower, 2);

        net.Send(PropEmpty(1));
        net.Send(Transfer(1, 2));
        AssertState(lead, RaftRole.Leader, 1);
    }

    [Fact]
    public void A_lagging_target_is_brought_up_to_date_first()
    {
        var net = Elected();
        net.Isolate(3);
        net.Send(PropEmpty(1));
        net.Recover();
        var lead = net[1];
        Assert.Equal(1UL, lead.Tracker.Get(3)!.Match);

        net.Send(Transfer(3, 1));

        AssertState(lead, RaftRole.Follower, 3);
        Assert.Equal(RaftRole.Leader, net[3].State);
        Assert.Equal(net[3].Log.LastIndex(), lead.Log.LastIndex());
    }

    [Fact]
    public void A_target_that_needs_a_snapshot_gets_it_before_taking_over()
    {
        var net = Elected();
        net.Isolate(3);
        net.Send(PropEmpty(1));
        var lead = net[1];
        SnapshotAndCompact(lead, net.Storage[1]);
        net.Recover();
        Assert.Equal(1UL, lead.Tracker.Get(3)!.Match);

        net.Send(Transfer(3, 1));
        net.Send(Msg(3, 1, MessageType.MsgHeartbeatResp, term: lead.Term));

        AssertState(lead, RaftRole.Follower, 3);
    }

    [Fact]
    public void Transfer_to_self_or_to_a_non_member_is_ignored()
    {
        var net = Elected();
        var lead = net[1];

        net.Send(Transfer(1, 1));
        AssertState(lead, RaftRole.Leader, 1);

        net.Send(Transfer(4, 1));
        AssertState(lead, RaftRole.Leader, 1);
    }

    [Fact]
    public void A_transfer_that_does_not_complete_within_an_election_timeout_is_abandoned()
    {
        var net = Elected();
        net.Isolate(3);
        var lead = net[1];

        net.Send(Transfer(3, 1));
        Assert.Equal(3UL, lead.LeadTransferee);
        lead.Tick();
        Assert.Equal(3UL, lead.LeadTransferee);
        for (var i = 0; i < lead.ElectionTimeout - 1; i++)
        {
            lead.Tick();
        }

        AssertState(lead, RaftRole.Leader, 1);
    }

    [Fact]
    public void Proposals_are_dropped_while_a_transfer_is_under_way()
    {
        var net = Elected();
        net.Isolate(3);
        var lead = net[1];
        net.Send(Transfer(3, 1));
        Assert.Equal(3UL, lead.LeadTransferee);

        var result = lead.Step(PropEmpty(1));

        Assert.Equal(StepStatus.ProposalDropped, result.Status);
        Assert.Equal(ProposalStatus.DroppedLeadershipTransfer, lead.Propose(new Entry()));
        Assert.Equal(1UL, lead.Tracker.Get(1)!.Match);
    }

    [Fact]
    public void A_higher_term_election_during_a_transfer_ends_it()
    {
        var net = Elected();
        net.Isolate(3);
        var lead = net[1];
        net.Send(Transfer(3, 1));
        Assert.Equal(3UL, lead.LeadTransferee);

        net.Send(Hup(2));

        AssertState(lead, RaftRole.Follower, 2);
    }

    [Fact]
    public void Removing_the_target_aborts_the_transfer()
    {
        var net = Elected();
        net.Ignore(MessageType.MsgTimeoutNow);
        var lead = net[1];
        net.Send(Transfer(3, 1));
        Assert.Equal(3UL, lead.LeadTransferee);

        lead.ApplyConfChange(Cc(ConfChangeType.ConfChangeRemoveNode, 3));

        AssertState(lead, RaftRole.Leader, 1);
    }

    [Fact]
    public void Transferring_back_to_the_leader_cancels_the_transfer()
    {
        var net = Elected();
        net.Isolate(3);
        var lead = net[1];
        net.Send(Transfer(3, 1));

        net.Send(Transfer(1, 1));

        AssertState(lead, RaftRole.Leader, 1);
    }

    [Fact]
    public void A_second_transfer_to_another_member_replaces_the_first()
    {
        var net = Elected();
        net.Isolate(3);
        var lead = net[1];
        net.Send(Transfer(3, 1));

        net.Send(Transfer(2, 1));

        AssertState(lead, RaftRole.Follower, 2);
    }

    [Fact]
    public void A_repeated_transfer_to_the_same_member_does_not_extend_its_deadline()
    {
        var net = Elected();
        net.Isolate(3);
        var lead = net[1];
        net.Send(Transfer(3, 1));
        lead.Tick();
        net.Send(Transfer(3, 1));
        for (var i = 0; i < lead.ElectionTimeout - 1; i++)
        {
            lead.Tick();
        }

        AssertState(lead, RaftRole.Leader, 1);
    }

    [Fact]
    public void A_transfer_to_a_learner_is_ignored()
    {
        var r = NewRaft(1, NewStorage([1, 2], [3]));
        MakeLeader(r);
        Read(r);

        r.Step(Transfer(3, 1));

        Assert.Equal(0UL, r.LeadTransferee);
        Assert.Empty(Read(r));
    }

    [Fact]
    public void A_member_that_is_not_in_the_configuration_ignores_a_timeout_now()
    {
        var r = NewRaft(1, [2, 3, 4]);
        r.Step(Msg(2, 1, MessageType.MsgTimeoutNow, term: 0 + 1));

        Assert.Equal(RaftRole.Follower, r.State);
    }

    [Fact]
    public void A_transferred_election_skips_the_pre_vote()
    {
        var net = Elected(PreVote);
        net.MessageHook = m =>
        {
            Assert.NotEqual(MessageType.MsgPreVote, m.Type);
            return true;
        };

        net.Send(Transfer(2, 1));

        Assert.Equal(RaftRole.Leader, net[2].State);
        Assert.Equal(2UL, net[2].Term);
    }
}
