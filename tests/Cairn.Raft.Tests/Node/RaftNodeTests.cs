using Cairn.Protocol.Raftpb;
using Cairn.Raft.Storage;
using Google.Protobuf;
using static Cairn.Raft.Tests.Harness.Kit;

namespace Cairn.Raft.Tests.Node;

/// <summary>The public API as the server drives it: bootstrap, the Ready/Advance cycle, results.</summary>
public class RaftNodeTests
{
    private static RaftConfig ConfigFor(ulong id, MemoryRaftStorage storage) => Config(id, storage) with { MaxSizePerMsg = 1024 * 1024 };

    /// <summary>Persists, applies and acknowledges one Ready the way the server will.</summary>
    private static Ready Handle(RaftNode node, MemoryRaftStorage storage)
    {
        var rd = node.Ready();
        storage.Persist(rd);
        foreach (var e in rd.CommittedEntries)
        {
            if (e.Type == EntryType.EntryConfChange)
            {
                node.ApplyConfChange(ConfChange.Parser.ParseFrom(e.Data));
            }
        }
        node.Advance(rd);
        return rd;
    }

    [Fact]
    public void Bootstrap_writes_one_committed_conf_change_per_peer_byte_identical_to_etcd()
    {
        var storage = new MemoryRaftStorage();
        var node = RaftNode.Start(ConfigFor(1, storage), [new RaftPeer(1, ByteString.CopyFromUtf8("ctx"))]);

        Assert.True(node.HasReady());
        var rd = node.Ready();

        Assert.Equal(HardState.Of(1, 0, 1), rd.HardState);
        var e = Assert.Single(rd.Entries);
        Assert.Equal(e, Assert.Single(rd.CommittedEntries));
        Assert.True(rd.MustSync);
        // Bytes produced by etcd 3.4's raftpb for the same entry and hard state.
        Assert.Equal("080110011801220b0800100018012203637478", Convert.ToHexStringLower(e.ToByteArray()));
        Assert.Equal("080110001801", Convert.ToHexStringLower(rd.HardState!.ToByteArray()));
        var cs = node.ApplyConfChange(ConfChange.Parser.ParseFrom(e.Data));
        Assert.Equal("08012800", Convert.ToHexStringLower(cs.ToByteArray()));
    }

    [Fact]
    public void Bootstrap_refuses_no_peers_and_a_non_empty_log()
    {
        var storage = new MemoryRaftStorage();
        Assert.Throws<RaftStateException>(() => RaftNode.Start(ConfigFor(1, storage), []));

        storage.Append([Ent(1, 1)]);
        var e = Assert.Throws<RaftStateException>(() => RaftNode.Start(ConfigFor(1, storage), [new RaftPeer(1)]));
        Assert.Equal("can't bootstrap a nonempty Storage", e.Message);
    }

    [Fact]
    public void A_single_member_cluster_elects_itself_and_commits_proposals()
    {
        var storage = new MemoryRaftStorage();
        var node = RaftNode.Start(ConfigFor(1, storage), [new RaftPeer(1)]);
        Handle(node, storage);

        node.Campaign();
        var rd = Handle(node, storage);
        Assert.Equal(new SoftState(1, RaftRole.Leader), rd.SoftState);
        Assert.Equal(2UL, Assert.Single(rd.Entries).Index);

        Assert.Equal(ProposalStatus.Accepted, node.Propose(ByteString.CopyFromUtf8("foo")).Status);
        rd = Handle(node, storage);
        Assert.Equal("foo", Assert.Single(rd.Entries).Data.ToStringUtf8());
        Assert.Equal("foo", Assert.Single(rd.CommittedEntries).Data.ToStringUtf8());
        Assert.False(node.HasReady());
    }

    [Fact]
    public void Only_term_and_vote_changes_and_entries_need_a_sync()
    {
        var storage = new MemoryRaftStorage();
        var node = RaftNode.Start(ConfigFor(1, storage), [new RaftPeer(1)]);
        Handle(node, storage);
        node.Campaign();
        Handle(node, storage);

        // A ReadIndex answer alone changes nothing durable.
        node.ReadIndex(ByteString.CopyFromUtf8("r"));
        var rd = Handle(node, storage);
        Assert.False(rd.MustSync);
        Assert.Null(rd.HardState);
        var rs = Assert.Single(rd.ReadStates);
        Assert.Equal("r", rs.RequestContext.ToStringUtf8());
    }

    [Fact]
    public void Entries_are_handed_out_again_until_advanced_but_messages_only_once()
    {
        var s1 = NewStorage([1, 2]);
        var node = new RaftNode(ConfigFor(1, s1));
        node.Campaign();

        var first = node.Ready();
        Assert.NotEmpty(first.Messages);
        var second = node.Ready();
        Assert.Empty(second.Messages);
        Assert.Null(second.SoftState);
        Assert.Equal(first.HardState, second.HardState);
    }

    [Fact]
    public void A_restarted_member_resumes_from_storage_without_repeating_applied_entries()
    {
        var storage = new MemoryRaftStorage();
        var node = RaftNode.Start(ConfigFor(1, storage), [new RaftPeer(1)]);
        Handle(node, storage);
        node.Campaign();
        Handle(node, storage);
        node.Propose(ByteString.CopyFromUtf8("a"));
        Handle(node, storage);

        // Told what is applied, it hands out nothing again.
        var restarted = new RaftNode(ConfigFor(1, storage) with { Applied = 3 });
        Assert.False(restarted.HasReady());
        var status = restarted.Status();
        Assert.Equal(2UL, status.Term);
        Assert.Equal(3UL, status.Commit);
        Assert.Equal(3UL, status.Applied);
        Assert.Equal(RaftRole.Follower, status.Role);

        // Without a snapshot the configuration comes back by applying the log again, as in etcd.
        var replayed = new RaftNode(ConfigFor(1, storage));
        Assert.Empty(replayed.Status().Voters);
        var rd = Handle(replayed, storage);
        Assert.Equal(new ulong[] { 1, 2, 3 }, rd.CommittedEntries.Select(e => e.Index));
        Assert.Equal(new ulong[] { 1 }, replayed.Status().Voters);
    }

    [Fact]
    public void A_restarted_member_hands_out_unapplied_committed_entries_in_size_limited_batches()
    {
        var storage = NewStorage([1]);
        var data = ByteString.CopyFrom(new byte[100]);
        for (var i = 1UL; i <= 10; i++)
        {
            storage.Append([Entry.Of(1, i, EntryType.EntryNormal, data)]);
        }
        storage.SetHardState(HardState.Of(1, 1, 10));
        var node = new RaftNode(Config(1, storage) with { MaxSizePerMsg = 300 });

        var applied = new List<ulong>();
        while (node.HasReady())
        {
            var rd = node.Ready();
            Assert.InRange(rd.CommittedEntries.Count, 1, 3);
            applied.AddRange(rd.CommittedEntries.Select(e => e.Index));
            node.Advance(rd);
        }
        Assert.Equal(Enumerable.Range(1, 10).Select(i => (ulong)i), applied);
    }

    [Fact]
    public void Proposals_say_why_they_were_dropped()
    {
        var follower = new RaftNode(ConfigFor(1, NewStorage([1, 2, 3])));
        Assert.Equal(ProposalStatus.DroppedNoLeader, follower.Propose(ByteString.CopyFromUtf8("x")).Status);
        Assert.True(follower.Propose(ByteString.CopyFromUtf8("x")).IsDropped);
        Assert.Equal("raft proposal dropped: no leader", follower.Propose(ByteString.CopyFromUtf8("x")).Describe());

        follower.Step(Msg(2, 1, MessageType.MsgHeartbeat, term: 1));
        Assert.Equal(ProposalStatus.Forwarded, follower.Propose(ByteString.CopyFromUtf8("x")).Status);
        var forwarded = follower.Ready().Messages.Single(m => m.Type == MessageType.MsgProp);
        Assert.Equal(2UL, forwarded.To);
        Assert.Equal(0UL, forwarded.Term);

        var noForwarding = new RaftNode(ConfigFor(1, NewStorage([1, 2, 3])) with { DisableProposalForwarding = true });
        noForwarding.Step(Msg(2, 1, MessageType.MsgHeartbeat, term: 1));
        Assert.Equal(ProposalStatus.DroppedForwardingDisabled, noForwarding.Propose(ByteString.CopyFromUtf8("x")).Status);

        var candidate = new RaftNode(ConfigFor(1, NewStorage([1, 2, 3])));
        candidate.Campaign();
        Assert.Equal(ProposalStatus.DroppedNoLeader, candidate.ProposeConfChange(Cc(ConfChangeType.ConfChangeAddNode, 4)).Status);
        Assert.Equal(ProposalStatus.DroppedInvalid, candidate.ProposeBatch([]).Status);
        Assert.Equal(ProposalStatus.DroppedInvalid, candidate.ProposeConfChange(new ConfChange { Type = (ConfChangeType)9, NodeId = 4 }).Status);
    }

    [Fact]
    public void A_batch_of_proposals_goes_to_each_follower_in_one_append()
    {
        var storage = NewStorage([1, 2, 3]);
        var node = new RaftNode(ConfigFor(1, storage));
        node.Campaign();
        node.Step(Msg(2, 1, MessageType.MsgVoteResp, term: 1));
        Handle(node, storage);

        var batch = Enumerable.Range(0, 50).Select(i => ByteString.CopyFromUtf8($"v{i}")).ToArray();
        Assert.Equal(ProposalStatus.Accepted, node.ProposeBatch(batch).Status);

        var rd = node.Ready();
        Assert.Equal(50, rd.Entries.Count);
        Assert.All(rd.Messages.Where(m => m.Type == MessageType.MsgApp && m.Entries.Count > 1),
            m => Assert.Equal(50, m.Entries.Count(e => !e.Data.IsEmpty)));
    }

    [Fact]
    public void A_duplicate_add_is_applied_as_a_no_op_and_the_second_change_waits_for_the_first()
    {
        var storage = new MemoryRaftStorage();
        var node = RaftNode.Start(ConfigFor(1, storage), [new RaftPeer(1)]);
        Handle(node, storage);
        node.Campaign();
        Handle(node, storage);

        Assert.Equal(ProposalStatus.Accepted, node.ProposeConfChange(Cc(ConfChangeType.ConfChangeAddNode, 2)).Status);
        // The first is appended but not yet applied: a second is refused.
        Assert.Equal(ProposalStatus.ConfChangeRefused, node.ProposeConfChange(Cc(ConfChangeType.ConfChangeAddNode, 2)).Status);
        Handle(node, storage);
        Assert.Equal(new ulong[] { 1, 2 }, node.Status().Voters);

        // 2 never answers, so nothing more commits; but the change was applied and the next is taken.
        Assert.Equal(ProposalStatus.Accepted, node.ProposeConfChange(Cc(ConfChangeType.ConfChangeAddNode, 2)).Status);
    }

    [Fact]
    public void Step_refuses_what_a_peer_may_not_send()
    {
        var node = new RaftNode(ConfigFor(1, NewStorage([1, 2, 3])));

        Assert.Equal(StepStatus.LocalMessage, node.Step(Msg(2, 1, MessageType.MsgHup)).Status);
        Assert.Equal(StepStatus.LocalMessage, node.Step(Msg(2, 1, MessageType.MsgBeat)).Status);
        Assert.Equal(StepStatus.LocalMessage, node.Step(Msg(2, 1, MessageType.MsgSnapStatus)).Status);
        Assert.Equal(StepStatus.UnknownPeer, node.Step(Msg(9, 1, MessageType.MsgAppResp, term: 1)).Status);
        Assert.Equal(StepStatus.Invalid, node.Step(Msg(0, 1, MessageType.MsgApp, term: 1)).Status);
        Assert.Equal(StepStatus.Invalid, node.Step(Msg(2, 7, MessageType.MsgApp, term: 1)).Status);
        Assert.Equal(StepStatus.Invalid, node.Step(Msg(2, 1, MessageType.MsgApp)).Status);
        Assert.Equal(StepStatus.Invalid, node.Step(Msg(2, 1, MessageType.MsgApp, term: 1, index: 3, entries: Ent(1, 5))).Status);
        Assert.Equal(StepStatus.Invalid, node.Step(Msg(2, 1, MessageType.MsgHeartbeat, term: 1, commit: 9)).Status);
        Assert.Equal(StepStatus.Invalid, node.Step(Msg(2, 1, MessageType.MsgProp)).Status);
        Assert.Equal(StepStatus.Invalid, node.Step(Msg(2, 1, MessageType.MsgSnap, term: 1)).Status);
        Assert.Equal(StepStatus.Invalid, node.Step(new Message { Type = (MessageType)99, From = 2, To = 1 }).Status);
        Assert.Equal(StepStatus.Invalid, node.Step(null!).Status);
        Assert.Equal(StepStatus.Invalid, node.Step(Msg(2, 1, MessageType.MsgHeartbeat, term: ulong.MaxValue)).Status);
        // Nothing of that changed the member.
        var status = node.Status();
        Assert.Equal(0UL, status.Term);
        Assert.Equal(0UL, status.Lead);
        Assert.False(node.HasReady());
    }

    [Fact]
    public void A_snapshot_from_the_leader_comes_out_in_a_ready_to_persist_and_apply()
    {
        var storage = NewStorage([1, 2]);
        var node = new RaftNode(ConfigFor(2, storage));
        var cs = new ConfState { AutoLeave = false };
        cs.Voters.AddRange([1UL, 2]);
        var snap = new Snapshot { Data = ByteString.CopyFromUtf8("state"), Metadata = SnapshotMetadata.Of(cs, 11, 11) };

        Assert.True(node.Step(new Message { Type = MessageType.MsgSnap, From = 1, To = 2, Term = 11, Snapshot = snap }).IsOk);

        var rd = Handle(node, storage);
        Assert.Same(snap, rd.Snapshot);
        Assert.Equal(11UL, rd.HardState!.Commit);
        Assert.Equal(0, rd.CommittedEntries.Count);
        Assert.Equal(11UL, storage.LastIndex());
        Assert.False(node.HasReady());
        Assert.Equal(11UL, node.Status().Applied);
    }

    [Fact]
    public void Status_reports_progress_on_the_leader_in_etcd_form()
    {
        var node = new RaftNode(ConfigFor(1, NewStorage([1, 2])));
        node.Campaign();
        node.Step(Msg(2, 1, MessageType.MsgVoteResp, term: 1));

        var status = node.Status();

        Assert.Equal(RaftRole.Leader, status.Role);
        Assert.Equal(new ulong[] { 1, 2 }, status.Progress.Keys.Order());
        Assert.Equal(
            "{\"id\":\"1\",\"term\":1,\"vote\":\"1\",\"commit\":0,\"lead\":\"1\",\"raftState\":\"StateLeader\",\"applied\":0," +
            "\"progress\":{\"1\":{\"match\":1,\"next\":2,\"state\":\"StateReplicate\"},\"2\":{\"match\":0,\"next\":1,\"state\":\"StateProbe\"}}," +
            "\"leadtransferee\":\"0\"}",
            status.ToEtcdJson());
        Assert.Empty(new RaftNode(ConfigFor(2, NewStorage([1, 2]))).Status().Progress);
    }

    [Fact]
    public void Reports_from_the_transport_reach_the_leader_progress()
    {
        var node = new RaftNode(ConfigFor(1, NewStorage([1, 2])));
        node.Campaign();
        node.Step(Msg(2, 1, MessageType.MsgVoteResp, term: 1));
        node.Step(Msg(2, 1, MessageType.MsgAppResp, term: 1, index: 1));
        Assert.Equal(Tracking.ProgressState.Replicate, node.Status().Progress[2].State);

        node.ReportUnreachable(2);
        Assert.Equal(Tracking.ProgressState.Probe, node.Status().Progress[2].State);

        node.ReportSnapshot(2, SnapshotStatus.Failure);
        Assert.Equal(Tracking.ProgressState.Probe, node.Status().Progress[2].State);
    }

    [Fact]
    public void Transfer_leader_from_the_api_hands_over_to_an_up_to_date_member()
    {
        var storage = NewStorage([1, 2]);
        var node = new RaftNode(ConfigFor(1, storage));
        node.Campaign();
        node.Step(Msg(2, 1, MessageType.MsgVoteResp, term: 1));
        node.Step(Msg(2, 1, MessageType.MsgAppResp, term: 1, index: 1));
        Handle(node, storage);

        node.TransferLeader(2);

        Assert.Contains(node.Ready().Messages, m => m.Type == MessageType.MsgTimeoutNow && m.To == 2);
        Assert.Equal(2UL, node.Status().LeadTransferee);
    }
}
