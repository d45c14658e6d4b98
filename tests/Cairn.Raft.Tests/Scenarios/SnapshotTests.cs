using Cairn.Protocol.Raftpb;
using Cairn.Raft.Core;
using Cairn.Raft.Tests.Harness;
using Cairn.Raft.Tracking;
using Google.Protobuf;
using static Cairn.Raft.Tests.Harness.Kit;

namespace Cairn.Raft.Tests.Scenarios;

/// <summary>
/// Snapshots: a follower behind the leader's compacted log is sent the snapshot (InstallSnapshot),
/// replication pauses while it travels and resumes from it.
/// </summary>
public class SnapshotTests
{
    private static Snapshot Snap(ulong index, ulong term, ulong[] voters, ulong[]? learners = null)
    {
        var cs = new ConfState { AutoLeave = false };
        cs.Voters.AddRange(voters);
        if (learners is not null)
        {
            cs.Learners.AddRange(learners);
        }
        return new Snapshot { Data = ByteString.Empty, Metadata = SnapshotMetadata.Of(cs, index, term) };
    }

    /// <summary>A leader whose log starts after a snapshot at index 11, term 11.</summary>
    private static RaftStateMachine LeaderAfterSnapshot(ulong[] peers)
    {
        var r = NewRaft(1, peers);
        Assert.True(r.Restore(Snap(11, 11, [1, 2])));
        MakeLeader(r);
        return r;
    }

    [Fact]
    public void A_rejected_probe_below_the_first_index_sends_the_snapshot_and_marks_it_pending()
    {
        var r = LeaderAfterSnapshot([1]);
        var pr = r.Tracker.Get(2)!;
        pr.Next = r.Log.FirstIndex();

        r.Step(Msg(2, 1, MessageType.MsgAppResp, term: r.Term, index: pr.Next - 1, reject: true));

        Assert.Equal(11UL, pr.PendingSnapshot);
        Assert.Equal(ProgressState.Snapshot, pr.State);
        var m = Assert.Single(Read(r), x => x.To == 2);
        Assert.Equal(MessageType.MsgSnap, m.Type);
        Assert.Equal(11UL, m.Snapshot.Metadata.Index);
    }

    [Fact]
    public void Replication_to_a_follower_pauses_while_its_snapshot_is_pending()
    {
        var r = LeaderAfterSnapshot([1, 2]);
        r.Tracker.Get(2)!.BecomeSnapshot(11);
        Read(r);

        r.Step(Prop(1));

        Assert.Empty(Read(r));
    }

    [Fact]
    public void A_failed_snapshot_is_forgotten_and_the_follower_probed_again_later()
    {
        var r = LeaderAfterSnapshot([1, 2]);
        var pr = r.Tracker.Get(2)!;
        pr.Next = 1;
        pr.BecomeSnapshot(11);

        r.Step(Msg(2, 1, MessageType.MsgSnapStatus, reject: true));

        Assert.Equal(0UL, pr.PendingSnapshot);
        Assert.Equal(1UL, pr.Next);
        Assert.True(pr.ProbeSent);
    }

    [Fact]
    public void A_delivered_snapshot_resumes_probing_after_it()
    {
        var r = LeaderAfterSnapshot([1, 2]);
        var pr = r.Tracker.Get(2)!;
        pr.Next = 1;
        pr.BecomeSnapshot(11);

        r.Step(Msg(2, 1, MessageType.MsgSnapStatus));

        Assert.Equal(0UL, pr.PendingSnapshot);
        Assert.Equal(12UL, pr.Next);
        Assert.True(pr.ProbeSent);
    }

    [Fact]
    public void An_acknowledgement_past_the_snapshot_ends_the_snapshot_state_and_streams_on()
    {
        var r = LeaderAfterSnapshot([1, 2]);
        var pr = r.Tracker.Get(2)!;
        pr.Next = 1;
        pr.BecomeSnapshot(11);

        r.Step(Msg(2, 1, MessageType.MsgAppResp, term: r.Term, index: 11));

        Assert.Equal(0UL, pr.PendingSnapshot);
        Assert.Equal(13UL, pr.Next);
        Assert.Equal(1, pr.Inflights.Count);
    }

    [Fact]
    public void Restoring_a_snapshot_replaces_the_log_and_the_configuration_once()
    {
        var s = Snap(11, 11, [1, 2, 3]);
        var r = NewRaft(1, [1, 2]);

        Assert.True(r.Restore(s));
        Assert.Equal(11UL, r.Log.LastIndex());
        Assert.Equal(11UL, r.Log.TermOrZero(11));
        Assert.Equal(new ulong[] { 1, 2, 3 }, r.Tracker.Voters);

        Assert.False(r.Restore(s));
    }

    [Fact]
    public void Restoring_a_snapshot_takes_its_learners()
    {
        var s = Snap(11, 11, [1, 2], [3]);
        var r = Learner(3, [1, 2], [3], 8, 2);

        Assert.True(r.Restore(s));
        Assert.Equal(new ulong[] { 1, 2 }, r.Tracker.Voters);
        Assert.Equal(new ulong[] { 3 }, r.Tracker.Learners);
        Assert.False(r.Tracker.Get(1)!.IsLearner);
        Assert.True(r.Tracker.Get(3)!.IsLearner);
        Assert.True(r.IsLearner);
        Assert.False(r.Restore(s));
    }

    [Fact]
    public void A_snapshot_the_log_already_holds_only_moves_the_commit_index()
    {
        var r = NewRaft(1, [1, 2]);
        r.Log.Append(Ent(1, 1));
        r.Log.Append(Ent(1, 2));
        r.Log.Append(Ent(1, 3));
        r.Log.CommitTo(1);

        Assert.False(r.Restore(Snap(1, 1, [1, 2])));
        Assert.Equal(1UL, r.Log.Committed);

        Assert.False(r.Restore(Snap(2, 1, [1, 2])));
        Assert.Equal(2UL, r.Log.Committed);
        Assert.Equal(3UL, r.Log.LastIndex());
    }

    [Fact]
    public void A_snapshot_that_leaves_this_member_out_is_ignored()
    {
        var r = NewRaft(3, [1, 2, 3]);

        Assert.False(r.Restore(Snap(11, 11, [1, 2])));
        Assert.Equal(0UL, r.Log.LastIndex());
    }

    [Fact]
    public void A_snapshot_is_not_sent_to_a_follower_not_recently_active()
    {
        var r = LeaderAfterSnapshot([1]);
        var pr = r.Tracker.Get(2)!;
        pr.Next = r.Log.FirstIndex() - 1;
        pr.RecentActive = false;
        Read(r);

        r.Step(Prop(1));

        Assert.Empty(Read(r));
    }

    [Fact]
    public void A_snapshot_message_makes_its_sender_the_leader_and_is_installed()
    {
        var r = NewRaft(2, [1, 2]);

        r.Step(new Message { Type = MessageType.MsgSnap, From = 1, To = 2, Term = 2, Snapshot = Snap(11, 11, [1, 2]) });

        Assert.Equal(1UL, r.Lead);
        Assert.Equal(11UL, r.Log.Committed);
        Assert.NotNull(r.Log.Unstable.Snapshot);
        var resp = Assert.Single(Read(r));
        Assert.Equal(MessageType.MsgAppResp, resp.Type);
        Assert.Equal(11UL, resp.Index);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_snapshot_with_an_unsupported_configuration_is_refused_without_changes(bool joint)
    {
        var r = NewRaft(2, [1, 2]);
        var snap = Snap(11, 11, joint ? [1, 2] : []);
        if (joint)
        {
            snap.Metadata.ConfState.VotersOutgoing.Add(3);
        }
        else
        {
            snap.Metadata.ConfState.Learners.Add(2);
        }

        var result = r.Step(new Message { Type = MessageType.MsgSnap, From = 1, To = 2, Term = 2, Snapshot = snap });

        Assert.Equal(StepStatus.Invalid, result.Status);
        Assert.Equal(0UL, r.Term);
        Assert.Equal(0UL, r.Log.Committed);
        Assert.Empty(Read(r));
    }

    [Fact]
    public void A_member_cut_off_past_the_compacted_log_catches_up_through_the_snapshot()
    {
        var net = TestNetwork.Of(null, null, null);
        net.Send(Hup(1));
        net.Isolate(3);
        for (var j = 0; j <= 100; j++)
        {
            net.Send(PropEmpty(1));
        }
        var lead = net[1];
        SnapshotAndCompact(lead, net.Storage[1]);
        net.Recover();

        // Heartbeats until the leader hears from 3 again (it only sends snapshots to active members).
        while (!lead.Tracker.Get(3)!.RecentActive)
        {
            net.Send(Beat(1));
        }
        net.Send(PropEmpty(1));
        var follower = net[3];
        Assert.NotNull(follower.Log.Unstable.Snapshot);
        net.Send(PropEmpty(1));

        Assert.Equal(lead.Log.Committed, follower.Log.Committed);
    }

    [Fact]
    public void A_learner_receives_a_snapshot_too()
    {
        var n1 = Learner(1, [1], [2]);
        var n2 = Learner(2, [1], [2]);
        Assert.True(n1.Restore(Snap(11, 11, [1], [2])));
        n1.Log.AppliedTo(n1.Log.Committed);
        // A member holding a term-11 snapshot has seen term 11.
        n1.BecomeFollower(11, 0);
        var net = TestNetwork.Of(n1, n2);
        n1.RandomizedElectionTimeout = n1.ElectionTimeout;
        for (var i = 0; i < n1.ElectionTimeout; i++)
        {
            n1.Tick();
        }

        net.Send(Beat(1));

        Assert.Equal(n1.Log.Committed, n2.Log.Committed);
    }

    [Fact]
    public void A_snapshot_not_yet_ready_is_retried_later_instead_of_failing()
    {
        var storage = new UnreadySnapshotStorage(NewStorage([1, 2]));
        storage.Inner.Append(EntsWithTerms(1, 1, 1));
        storage.Inner.CreateSnapshot(2, null, ByteString.Empty);
        storage.Inner.Compact(2);
        storage.Inner.SetHardState(HardState.Of(1, 0, 3));
        var r = new RaftStateMachine(Config(1, NewStorage([1])) with { Storage = storage });
        r.ApplyConfChange(Cc(ConfChangeType.ConfChangeAddNode, 2));
        MakeLeader(r);
        var pr = r.Tracker.Get(2)!;
        pr.RecentActive = true;
        pr.Next = 1;
        Read(r);

        r.BroadcastAppend();

        Assert.Empty(Read(r));
        Assert.Equal(ProgressState.Probe, pr.State);
    }

    private sealed class UnreadySnapshotStorage(Storage.MemoryRaftStorage inner) : Storage.IRaftStorage
    {
        public Storage.MemoryRaftStorage Inner { get; } = inner;

        public Storage.RaftInitialState InitialState() => Inner.InitialState();

        public ArraySegment<Entry> Entries(ulong lo, ulong hi, ulong maxSize) => Inner.Entries(lo, hi, maxSize);

        public ulong Term(ulong index) => Inner.Term(index);

        public ulong LastIndex() => Inner.LastIndex();

        public ulong FirstIndex() => Inner.FirstIndex();

        public Snapshot Snapshot() => throw new RaftStorageException(RaftStorageError.SnapshotTemporarilyUnavailable);
    }
}
