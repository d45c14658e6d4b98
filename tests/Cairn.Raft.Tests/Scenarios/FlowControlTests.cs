using Cairn.Protocol.Raftpb;
using Cairn.Raft.Core;
using Cairn.Raft.Tracking;
using Google.Protobuf;
using static Cairn.Raft.Tests.Harness.Kit;

namespace Cairn.Raft.Tests.Scenarios;

/// <summary>
/// Flow control: probe and replicate states, the in-flight window, the byte limit per append and
/// the uncommitted-size limit.
/// </summary>
public class FlowControlTests
{
    private static RaftStateMachine Leader(int peers = 2, Func<RaftConfig, RaftConfig>? configure = null)
    {
        var r = NewRaft(1, Ids(peers), 5, configure: configure);
        MakeLeader(r);
        return r;
    }

    /// <summary>A leader streaming to 2 that has filled the in-flight window with one entry per append.</summary>
    private static RaftStateMachine LeaderWithFullWindow(out Progress pr)
    {
        var r = Leader();
        pr = r.Tracker.Get(2)!;
        pr.BecomeReplicate();
        for (var i = 0; i < r.Tracker.MaxInflight; i++)
        {
            r.Step(Prop(1));
            Assert.Single(Read(r));
        }
        return r;
    }

    [Fact]
    public void A_probing_leader_sends_one_append_and_waits_for_its_answer()
    {
        var r = Leader();
        r.Step(Prop(1));
        r.Step(Prop(1));
        r.Step(Prop(1));

        Assert.Single(Read(r));
    }

    [Fact]
    public void A_heartbeat_answer_resumes_a_paused_probe()
    {
        var r = Leader();
        var pr = r.Tracker.Get(2)!;
        pr.ProbeSent = true;

        r.Step(Beat(1));
        Assert.True(pr.ProbeSent);

        pr.BecomeReplicate();
        r.Step(Msg(2, 1, MessageType.MsgHeartbeatResp, term: r.Term));
        Assert.False(pr.ProbeSent);
    }

    [Fact]
    public void Appends_respect_the_byte_limit_and_the_in_flight_window()
    {
        var r = Leader(configure: c => c with { MaxInflightMsgs = 3, MaxSizePerMsg = 2048 });
        // Throw away the empty entry's append; 2 stays probing.
        Read(r);
        r.Tracker.Get(2)!.BecomeProbe();
        var blob = ByteString.CopyFrom(new byte[1000]);
        for (var i = 0; i < 10; i++)
        {
            r.Step(Msg(1, 1, MessageType.MsgProp, entries: new Entry { Data = blob }));
        }

        // One probe of two entries (the empty entry and a 1000-byte one fit in 2048).
        var ms = Read(r);
        var probe = Assert.Single(ms);
        Assert.Equal(MessageType.MsgApp, probe.Type);
        Assert.Equal(new[] { 0, 1000 }, probe.Entries.Select(e => e.Data.Length));

        // The acknowledgement moves 2 to replicate: three appends of two entries fill the window.
        r.Step(Msg(2, 1, MessageType.MsgAppResp, term: r.Term, index: probe.Entries[1].Index));
        ms = Read(r);
        Assert.Equal(3, ms.Count);
        Assert.All(ms, m =>
        {
            Assert.Equal(MessageType.MsgApp, m.Type);
            Assert.Equal(2, m.Entries.Count);
        });

        // Acknowledging all three frees the window: the remaining three entries go out.
        r.Step(Msg(2, 1, MessageType.MsgAppResp, term: r.Term, index: ms[2].Entries[1].Index));
        ms = Read(r);
        Assert.Equal(new[] { 2, 1 }, ms.Select(m => m.Entries.Count));
    }

    [Fact]
    public void A_full_window_stops_appends()
    {
        var r = LeaderWithFullWindow(out var pr);
        Assert.True(pr.Inflights.Full);

        for (var i = 0; i < 10; i++)
        {
            r.Step(Prop(1));
            Assert.Empty(Read(r));
        }
    }

    [Fact]
    public void Acknowledgements_slide_the_window_forward()
    {
        var r = LeaderWithFullWindow(out var pr);

        for (var tt = 2; tt < r.Tracker.MaxInflight; tt++)
        {
            r.Step(Msg(2, 1, MessageType.MsgAppResp, term: r.Term, index: (ulong)tt));
            Read(r);
            r.Step(Prop(1));
            Assert.Single(Read(r));
            Assert.True(pr.Inflights.Full);
            // Stale acknowledgements free nothing.
            for (var i = 0; i < tt; i++)
            {
                r.Step(Msg(2, 1, MessageType.MsgAppResp, term: r.Term, index: (ulong)i));
                Assert.True(pr.Inflights.Full);
            }
        }
    }

    [Fact]
    public void A_heartbeat_answer_frees_one_slot_of_a_full_window()
    {
        var r = LeaderWithFullWindow(out var pr);

        for (var tt = 1; tt < 5; tt++)
        {
            Assert.True(pr.Inflights.Full);
            for (var i = 0; i < tt; i++)
            {
                r.Step(Msg(2, 1, MessageType.MsgHeartbeatResp, term: r.Term));
                Read(r);
                Assert.False(pr.Inflights.Full);
            }
            r.Step(Prop(1));
            Assert.Single(Read(r));
            for (var i = 0; i < 10; i++)
            {
                r.Step(Prop(1));
                Assert.Empty(Read(r));
            }
            r.Step(Msg(2, 1, MessageType.MsgHeartbeatResp, term: r.Term));
            Read(r);
        }
    }

    [Fact]
    public void Proposals_beyond_the_uncommitted_size_limit_are_dropped()
    {
        const int maxEntries = 1024;
        var entry = ByteString.CopyFromUtf8("testdata");
        var r = Leader(3, c => c with { MaxUncommittedEntriesSize = (ulong)(maxEntries * entry.Length), MaxInflightMsgs = 2048 });
        Assert.Equal(0UL, r.UncommittedSize);
        r.Tracker.Get(2)!.BecomeReplicate();
        r.Tracker.Get(3)!.BecomeReplicate();

        var proposed = new List<Entry>();
        for (var i = 0; i < maxEntries; i++)
        {
            Assert.True(r.Step(Msg(1, 1, MessageType.MsgProp, entries: new Entry { Data = entry })).IsOk);
            proposed.Add(new Entry { Data = entry });
        }
        var dropped = r.Step(Msg(1, 1, MessageType.MsgProp, entries: new Entry { Data = entry }));
        Assert.Equal(StepStatus.ProposalDropped, dropped.Status);
        Assert.Equal(ProposalStatus.DroppedUncommittedSizeLimit, r.Propose(new Entry { Data = entry }));
        Assert.Equal(maxEntries * 2, Read(r).Count);

        r.ReduceUncommittedSize(proposed.ToArray());
        Assert.Equal(0UL, r.UncommittedSize);

        // With nothing uncommitted, even a proposal above the limit is taken; then nothing more.
        var large = Enumerable.Range(0, 2 * maxEntries).Select(_ => new Entry { Data = entry }).ToArray();
        Assert.True(r.Step(Msg(1, 1, MessageType.MsgProp, entries: large)).IsOk);
        Assert.Equal(StepStatus.ProposalDropped, r.Step(Msg(1, 1, MessageType.MsgProp, entries: new Entry { Data = entry })).Status);
        Assert.Equal(2, Read(r).Count);
        r.ReduceUncommittedSize(large);
        Assert.Equal(0UL, r.UncommittedSize);
    }

    [Fact]
    public void A_probe_is_sent_once_per_heartbeat_interval_until_answered()
    {
        var r = NewRaft(1, Ids(2));
        MakeLeader(r);
        Read(r);
        var pr = r.Tracker.Get(2)!;
        pr.BecomeProbe();

        r.Propose(new Entry { Data = ByteString.CopyFromUtf8("somedata") });
        var first = Assert.Single(Read(r));
        Assert.Equal(0UL, first.Index);
        for (var round = 0; round < 3; round++)
        {
            Assert.True(pr.ProbeSent);
            for (var j = 0; j < 10; j++)
            {
                r.Propose(new Entry { Data = ByteString.CopyFromUtf8("somedata") });
                Assert.Empty(Read(r));
            }
            // A heartbeat goes out but does not unpause the probe.
            r.Step(Beat(1));
            Assert.True(pr.ProbeSent);
            Assert.Equal(MessageType.MsgHeartbeat, Assert.Single(Read(r)).Type);
        }

        // The heartbeat answer unpauses it: a new probe from the same point.
        r.Step(Msg(2, 1, MessageType.MsgHeartbeatResp, term: r.Term));
        var again = Assert.Single(Read(r));
        Assert.Equal(0UL, again.Index);
        Assert.True(pr.ProbeSent);
    }

    [Fact]
    public void An_unreachable_follower_drops_back_from_replicate_to_probe()
    {
        var s = NewStorage(Ids(2));
        s.Append(EntsWithTerms(1, 1, 1));
        var r = NewRaft(1, s);
        MakeLeader(r);
        Read(r);
        var pr = r.Tracker.Get(2)!;
        pr.Match = 3;
        pr.BecomeReplicate();
        pr.OptimisticUpdate(5);

        r.Step(Msg(2, 1, MessageType.MsgUnreachable));

        Assert.Equal(ProgressState.Probe, pr.State);
        Assert.Equal(pr.Match + 1, pr.Next);
    }

    [Fact]
    public void A_commit_index_change_is_sent_once_not_with_every_later_append()
    {
        var r = NewRaft(1, Ids(3), 5);
        MakeLeader(r);
        r.BroadcastAppend();
        Read(r);

        r.Step(Msg(2, 1, MessageType.MsgAppResp, term: r.Term, index: 1));
        Assert.Equal(1UL, r.Log.Committed);
        Read(r);

        // 2 is replicating; 3 still probing and paused: only 2 gets the new entry.
        r.Step(PropEmpty(1));
        var m = Assert.Single(Read(r));
        Assert.Equal(2UL, m.To);
        Assert.Equal(2UL, Assert.Single(m.Entries).Index);

        // 3 answers its probe: it gets the new entry too.
        r.Step(Msg(3, 1, MessageType.MsgAppResp, term: r.Term, index: 1));
        m = Assert.Single(Read(r));
        Assert.Equal(3UL, m.To);
        Assert.Equal(2UL, Assert.Single(m.Entries).Index);
    }
}
