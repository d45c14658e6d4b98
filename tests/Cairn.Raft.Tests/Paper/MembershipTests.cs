using Cairn.Protocol.Raftpb;
using Cairn.Raft.Tests.Harness;
using Google.Protobuf;
using static Cairn.Raft.Tests.Harness.Kit;

namespace Cairn.Raft.Tests.Paper;

/// <summary>
/// Raft paper §6 (cluster membership changes), one member at a time as etcd does: changes take
/// effect when applied, learners replicate but never vote or count, and only one change may be
/// pending.
/// </summary>
public class MembershipTests
{
    [Fact]
    public void Adding_a_voter_puts_it_in_the_configuration()
    {
        var r = NewRaft(1, Ids(1));
        var cs = r.ApplyConfChange(Cc(ConfChangeType.ConfChangeAddNode, 2));

        Assert.Equal(new ulong[] { 1, 2 }, r.Tracker.Voters);
        Assert.Equal(new ulong[] { 1, 2 }, cs.Voters);
        Assert.True(cs.HasAutoLeave);
    }

    [Fact]
    public void Adding_a_learner_puts_it_aside_from_the_voters()
    {
        var r = NewRaft(1, Ids(1));
        r.ApplyConfChange(Cc(ConfChangeType.ConfChangeAddLearnerNode, 2));

        Assert.Equal(new ulong[] { 1 }, r.Tracker.Voters);
        Assert.Equal(new ulong[] { 2 }, r.Tracker.Learners);
        Assert.True(r.Tracker.Get(2)!.IsLearner);
    }

    [Fact]
    public void Removing_a_voter_takes_it_out_and_removing_the_last_voter_is_refused()
    {
        var r = NewRaft(1, Ids(2));
        r.ApplyConfChange(Cc(ConfChangeType.ConfChangeRemoveNode, 2));
        Assert.Equal(new ulong[] { 1 }, r.Tracker.Voters);

        var e = Assert.Throws<RaftConfChangeException>(() => r.ApplyConfChange(Cc(ConfChangeType.ConfChangeRemoveNode, 1)));
        Assert.Equal("removed all voters", e.Message);
        Assert.Equal(new ulong[] { 1 }, r.Tracker.Voters);
    }

    [Fact]
    public void Removing_a_learner_takes_it_out()
    {
        var r = Learner(1, [1], [2]);
        r.ApplyConfChange(Cc(ConfChangeType.ConfChangeRemoveNode, 2));

        Assert.Equal(new ulong[] { 1 }, r.Tracker.Voters);
        Assert.Empty(r.Tracker.Learners);
        Assert.Null(r.Tracker.Get(2));
    }

    [Fact]
    public void Only_voters_in_the_configuration_may_campaign()
    {
        Assert.True(NewRaft(1, Ids(1)).Promotable);
        Assert.True(NewRaft(1, [1, 2, 3]).Promotable);
        Assert.False(NewRaft(1, Array.Empty<ulong>()).Promotable);
        Assert.False(NewRaft(1, [2, 3]).Promotable);
        Assert.False(Learner(2, [1], [2]).Promotable);
    }

    [Fact]
    public void A_conf_change_proposal_is_appended_and_marked_pending()
    {
        var r = NewRaft(1, Ids(2));
        MakeLeader(r);
        var index = r.Log.LastIndex();

        r.Step(ConfChangeProp(1, ConfChangeType.ConfChangeAddNode, 3));

        Assert.Equal(index + 1, r.Log.LastIndex());
        Assert.Equal(index + 1, r.PendingConfIndex);
        // It does not take effect on append.
        Assert.Equal(new ulong[] { 1, 2 }, r.Tracker.Voters);
    }

    [Fact]
    public void A_second_conf_change_while_one_is_unapplied_is_replaced_by_an_empty_entry()
    {
        var r = NewRaft(1, Ids(2));
        MakeLeader(r);
        r.Step(ConfChangeProp(1, ConfChangeType.ConfChangeAddNode, 3));
        var index = r.Log.LastIndex();
        var pending = r.PendingConfIndex;

        Assert.Equal(ProposalStatus.ConfChangeRefused,
            r.Propose(new Entry { Type = EntryType.EntryConfChange, Data = Cc(ConfChangeType.ConfChangeAddNode, 4).ToByteString() }));

        Assert.True(r.Log.TryEntries(index + 1, ulong.MaxValue, out var ents));
        Assert.Equal(new[] { Ent(1, 3) }, ents.ToArray());
        Assert.Equal(pending, r.PendingConfIndex);
    }

    [Theory]
    [InlineData(false, 0UL)]
    [InlineData(true, 1UL)]
    public void A_new_leader_holds_conf_changes_until_its_log_as_elected_is_applied(bool hasEntry, ulong wantPending)
    {
        var r = NewRaft(1, Ids(2));
        if (hasEntry)
        {
            r.Log.Append(Ent(0, 1));
        }
        MakeLeader(r);

        Assert.Equal(wantPending, r.PendingConfIndex);
    }

    [Fact]
    public void Removing_a_member_lowers_the_quorum_when_applied_so_pending_entries_commit()
    {
        var s = NewStorage(Ids(2));
        var r = NewRaft(1, s, 5);
        MakeLeader(r);
        r.Step(ConfChangeProp(1, ConfChangeType.ConfChangeRemoveNode, 2));
        Assert.Empty(NextEnts(r, s));
        var ccIndex = r.Log.LastIndex();

        r.Step(Prop(1, "hello"));
        // 2 acknowledges the conf change, committing it (and the empty entry before).
        r.Step(Msg(2, 1, MessageType.MsgAppResp, term: r.Term, index: ccIndex));
        var ents = NextEnts(r, s);
        Assert.Equal(2, ents.Count);
        Assert.Equal(EntryType.EntryNormal, ents[0].Type);
        Assert.True(ents[0].Data.IsEmpty);
        Assert.Equal(EntryType.EntryConfChange, ents[1].Type);

        // Applying it leaves 1 alone, a quorum by itself: "hello" commits.
        r.ApplyConfChange(Cc(ConfChangeType.ConfChangeRemoveNode, 2));
        var after = Assert.Single(NextEnts(r, s));
        Assert.Equal("hello", after.Data.ToStringUtf8());
    }

    [Fact]
    public void A_new_member_counts_as_active_for_one_check_quorum_round()
    {
        var r = NewRaft(1, Ids(1), configure: CheckQuorum);
        MakeLeader(r);
        for (var i = 0; i < r.ElectionTimeout - 1; i++)
        {
            r.Tick();
        }
        r.ApplyConfChange(Cc(ConfChangeType.ConfChangeAddNode, 2));

        // The check at the election timeout counts 2 as active.
        r.Tick();
        Assert.Equal(RaftRole.Leader, r.State);

        // A full timeout without hearing from 2: step down.
        for (var i = 0; i < r.ElectionTimeout; i++)
        {
            r.Tick();
        }
        Assert.Equal(RaftRole.Follower, r.State);
    }

    [Fact]
    public void A_learner_never_campaigns()
    {
        var n2 = Learner(2, [1], [2]);
        n2.BecomeFollower(1, 0);
        n2.RandomizedElectionTimeout = n2.ElectionTimeout;
        for (var i = 0; i < 3 * n2.ElectionTimeout; i++)
        {
            n2.Tick();
        }

        Assert.Equal(RaftRole.Follower, n2.State);
        Assert.Empty(Read(n2));
    }

    [Fact]
    public void A_learner_receives_the_log_but_does_not_count_toward_the_commit_quorum()
    {
        var n1 = Learner(1, [1], [2]);
        var n2 = Learner(2, [1], [2]);
        var net = TestNetwork.Of(n1, n2);
        n1.BecomeFollower(1, 0);
        n2.BecomeFollower(1, 0);
        n1.RandomizedElectionTimeout = n1.ElectionTimeout;
        for (var i = 0; i < n1.ElectionTimeout; i++)
        {
            n1.Tick();
        }
        net.Send(Beat(1));
        Assert.Equal(RaftRole.Leader, n1.State);
        Assert.True(n2.IsLearner);

        var next = n1.Log.Committed + 1;
        net.Send(Prop(1, "somedata"));

        Assert.Equal(next, n1.Log.Committed);
        Assert.Equal(n1.Log.Committed, n2.Log.Committed);
        Assert.Equal(n2.Log.Committed, n1.Tracker.Get(2)!.Match);
    }

    [Fact]
    public void A_learner_with_the_log_cannot_make_a_leader_without_quorum_and_is_never_asked_to_vote()
    {
        var n1 = NewRaft(1, NewStorage([1, 2], [3]));
        n1.Step(Hup(1));

        Assert.Equal(new ulong[] { 2 }, Read(n1).Select(m => m.To));
        n1.Step(Msg(3, 1, MessageType.MsgVoteResp, term: 1));
        Assert.Equal(RaftRole.Candidate, n1.State);
        n1.Step(Msg(2, 1, MessageType.MsgVoteResp, term: 1));
        Assert.Equal(RaftRole.Leader, n1.State);
    }

    [Fact]
    public void A_promoted_learner_can_campaign_and_lead()
    {
        var n1 = Learner(1, [1], [2]);
        var n2 = Learner(2, [1], [2]);
        n1.BecomeFollower(1, 0);
        n2.BecomeFollower(1, 0);
        var net = TestNetwork.Of(n1, n2);
        n1.RandomizedElectionTimeout = n1.ElectionTimeout;
        for (var i = 0; i < n1.ElectionTimeout; i++)
        {
            n1.Tick();
        }
        Assert.Equal(RaftRole.Leader, n1.State);
        Assert.Equal(RaftRole.Follower, n2.State);
        net.Send(Beat(1));

        n1.ApplyConfChange(Cc(ConfChangeType.ConfChangeAddNode, 2));
        n2.ApplyConfChange(Cc(ConfChangeType.ConfChangeAddNode, 2));
        Assert.False(n2.IsLearner);
        Assert.Equal(new ulong[] { 1, 2 }, n1.Tracker.Voters);

        n2.RandomizedElectionTimeout = n2.ElectionTimeout;
        for (var i = 0; i < n2.ElectionTimeout; i++)
        {
            n2.Tick();
        }
        net.Send(Beat(2));

        Assert.Equal(RaftRole.Follower, n1.State);
        Assert.Equal(RaftRole.Leader, n2.State);
    }

    [Fact]
    public void A_learner_grants_votes_since_it_may_have_been_promoted_without_knowing()
    {
        var n2 = Learner(2, [1], [2]);
        n2.BecomeFollower(1, 0);

        n2.Step(Msg(1, 2, MessageType.MsgVote, term: 2, logTerm: 11, index: 11));

        var resp = Assert.Single(Read(n2));
        Assert.Equal(MessageType.MsgVoteResp, resp.Type);
        Assert.False(resp.Reject);
    }

    [Fact]
    public void A_member_with_unapplied_conf_changes_does_not_campaign()
    {
        var s = NewStorage(Ids(3));
        var cc = new Entry
        {
            Term = 1,
            Index = 1,
            Type = EntryType.EntryConfChange,
            Data = Cc(ConfChangeType.ConfChangeAddNode, 4).ToByteString(),
        };
        s.Append([cc]);
        s.SetHardState(HardState.Of(1, 0, 1));
        var r = NewRaft(1, s);

        r.Step(Hup(1));
        Assert.Equal(RaftRole.Follower, r.State);

        r.Log.AppliedTo(1);
        r.Step(Hup(1));
        Assert.Equal(RaftRole.Candidate, r.State);
    }

    [Fact]
    public void A_removed_leader_steps_down_and_hands_leadership_to_the_most_up_to_date_voter()
    {
        var net = TestNetwork.Of(null, null, null);
        net.Send(Hup(1));
        net.Send(ConfChangeProp(1, ConfChangeType.ConfChangeRemoveNode, 1));
        var ccIndex = net[1].Log.LastIndex();
        foreach (var id in Ids(3))
        {
            Assert.Equal(ccIndex, net[id].Log.Committed);
        }

        // Each member applies the removal; the leader does last, as it would in any order.
        net[2].ApplyConfChange(Cc(ConfChangeType.ConfChangeRemoveNode, 1));
        net[3].ApplyConfChange(Cc(ConfChangeType.ConfChangeRemoveNode, 1));
        net[1].ApplyConfChange(Cc(ConfChangeType.ConfChangeRemoveNode, 1));
        Assert.Equal(RaftRole.Follower, net[1].State);
        var handover = Assert.Single(Read(net[1]));
        Assert.Equal(MessageType.MsgTimeoutNow, handover.Type);
        Assert.Equal(2UL, handover.To);

        net.Send(handover);

        Assert.Equal(RaftRole.Leader, net[2].State);
        Assert.Equal(2UL, net[2].Term);
        // The remaining pair keeps committing on its own.
        net.Isolate(1);
        net.Send(Prop(2, "after removal"));
        Assert.Equal(net[2].Log.LastIndex(), net[3].Log.Committed);
        Assert.False(net[1].Promotable);
    }

    [Fact]
    public void A_removed_leader_takes_no_more_proposals()
    {
        var r = NewRaft(1, Ids(2));
        MakeLeader(r);
        r.ApplyConfChange(Cc(ConfChangeType.ConfChangeRemoveNode, 1));

        Assert.Equal(RaftRole.Follower, r.State);
        Assert.Equal(ProposalStatus.DroppedNoLeader, r.Propose(new Entry { Data = ByteString.CopyFromUtf8("x") }));
    }
}
