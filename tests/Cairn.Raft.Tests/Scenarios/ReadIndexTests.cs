using Cairn.Protocol.Raftpb;
using Cairn.Raft.Core;
using Cairn.Raft.Tests.Harness;
using Google.Protobuf;
using static Cairn.Raft.Tests.Harness.Kit;

namespace Cairn.Raft.Tests.Scenarios;

/// <summary>
/// Linearizable reads (Raft thesis §6.4): ReadIndex in safe mode confirms leadership with a
/// heartbeat round; lease-based mode trusts CheckQuorum; a deposed leader never answers.
/// </summary>
public class ReadIndexTests
{
    private static Message ReadIndex(ulong id, string ctx) =>
        Msg(id, id, MessageType.MsgReadIndex, entries: Entry.Of(0, 0, EntryType.EntryNormal, ByteString.CopyFromUtf8(ctx)));

    private static RaftStateMachine[] Elected(out TestNetwork net, Func<RaftConfig, RaftConfig>? configure = null)
    {
        var m = Ids(3).Select(id => NewRaft(id, Ids(3), configure: configure)).ToArray();
        net = TestNetwork.Of(m[0], m[1], m[2]);
        ElectFirstWithSecondTimerAdvanced(m, net);
        return m;
    }

    [Theory]
    [InlineData(ReadOnlyOption.Safe)]
    [InlineData(ReadOnlyOption.LeaseBased)]
    public void Any_member_gets_the_leader_commit_index_as_read_index(ReadOnlyOption option)
    {
        var m = Elected(out var net, c => c with { ReadOnlyOption = option, CheckQuorum = option == ReadOnlyOption.LeaseBased });
        var cases = new (int Member, ulong Index, string Ctx)[]
        {
            (0, 11, "ctx1"), (1, 21, "ctx2"), (2, 31, "ctx3"), (0, 41, "ctx4"), (1, 51, "ctx5"), (2, 61, "ctx6"),
        };
        foreach (var (member, index, ctx) in cases)
        {
            for (var j = 0; j < 10; j++)
            {
                net.Send(PropEmpty(1));
            }
            var r = m[member];
            net.Send(ReadIndex(r.Id, ctx));

            var rs = Assert.Single(r.TakeReadStates());
            Assert.Equal(index, rs.Index);
            Assert.Equal(ctx, rs.RequestContext.ToStringUtf8());
        }
    }

    [Fact]
    public void A_learner_gets_read_indexes_and_is_not_needed_to_confirm_them()
    {
        var a = Learner(1, [1], [2]);
        var b = Learner(2, [1], [2]);
        var net = TestNetwork.Of(a, b);
        b.RandomizedElectionTimeout = b.ElectionTimeout + 1;
        for (var i = 0; i < b.ElectionTimeout; i++)
        {
            b.Tick();
        }
        net.Send(Hup(1));
        Assert.Equal(RaftRole.Leader, a.State);

        var cases = new (RaftStateMachine Member, ulong Index, string Ctx)[] { (a, 11, "ctx1"), (b, 21, "ctx2"), (a, 31, "ctx3"), (b, 41, "ctx4") };
        foreach (var (r, index, ctx) in cases)
        {
            for (var j = 0; j < 10; j++)
            {
                net.Send(PropEmpty(1));
            }
            net.Send(ReadIndex(r.Id, ctx));

            var rs = Assert.Single(r.TakeReadStates());
            Assert.Equal(index, rs.Index);
            Assert.Equal(ctx, rs.RequestContext.ToStringUtf8());
        }
    }

    [Fact]
    public void In_safe_mode_the_answer_waits_for_a_quorum_of_heartbeat_acknowledgements()
    {
        var r = NewRaft(1, Ids(3), 5);
        MakeLeader(r);
        r.Log.CommitTo(r.Log.LastIndex());
        Read(r);

        Assert.Equal(ProposalStatus.Accepted, r.ReadIndex(ByteString.CopyFromUtf8("ctx")));
        var beats = Read(r);
        Assert.All(beats, b =>
        {
            Assert.Equal(MessageType.MsgHeartbeat, b.Type);
            Assert.Equal("ctx", b.Context.ToStringUtf8());
        });
        Assert.Equal(2, beats.Count);
        Assert.Empty(r.ReadStates);

        r.Step(Msg(2, 1, MessageType.MsgHeartbeatResp, term: r.Term).WithContext("ctx"));

        var rs = Assert.Single(r.TakeReadStates());
        Assert.Equal(r.Log.Committed, rs.Index);
        Assert.Equal(0, r.PendingReadIndexCount);
    }

    [Fact]
    public void A_confirmation_also_confirms_every_earlier_request()
    {
        var r = NewRaft(1, Ids(3), 5);
        MakeLeader(r);
        r.Log.CommitTo(r.Log.LastIndex());
        r.ReadIndex(ByteString.CopyFromUtf8("a"));
        r.ReadIndex(ByteString.CopyFromUtf8("b"));
        Read(r);

        r.Step(Msg(3, 1, MessageType.MsgHeartbeatResp, term: r.Term).WithContext("b"));

        Assert.Equal(new[] { "a", "b" }, r.TakeReadStates().Select(s => s.RequestContext.ToStringUtf8()));
    }

    [Fact]
    public void A_new_leader_answers_only_after_an_entry_of_its_term_commits()
    {
        var peers = new List<RaftStateMachine>();
        foreach (var (id, committed, applied, compact) in new (ulong, ulong, ulong, ulong)[] { (1, 1, 1, 0), (2, 2, 2, 2), (3, 2, 2, 2) })
        {
            var s = NewStorage(Ids(3));
            s.Append([Ent(1, 1), Ent(1, 2)]);
            s.SetHardState(HardState.Of(1, 0, committed));
            if (compact != 0)
            {
                s.Compact(compact);
            }
            peers.Add(new RaftStateMachine(Config(id, s) with { Applied = applied }));
        }
        var net = TestNetwork.Of(peers[0], peers[1], peers[2]);
        // The new leader's empty entry must not commit yet.
        net.Ignore(MessageType.MsgApp);
        net.Send(Hup(1));
        var leader = peers[0];
        Assert.Equal(RaftRole.Leader, leader.State);

        net.Send(ReadIndex(1, "ctx"));
        Assert.Empty(leader.ReadStates);

        net.Recover();
        for (var i = 0; i < 1; i++)
        {
            leader.Tick();
        }
        net.Send(PropEmpty(1));
        Assert.Equal(4UL, leader.Log.Committed);
        Assert.Equal(leader.Term, leader.Log.TermOrZero(leader.Log.Committed));

        var rs = Assert.Single(leader.ReadStates);
        Assert.Equal(4UL, rs.Index);
        Assert.Equal("ctx", rs.RequestContext.ToStringUtf8());

        net.Send(ReadIndex(1, "ctx"));
        Assert.Equal(2, leader.ReadStates.Count);
        Assert.Equal(4UL, leader.ReadStates[1].Index);
    }

    [Fact]
    public void A_deposed_leader_never_answers_a_read()
    {
        // Five members; 1 leads with 2 on its side until 3, 4 and 5 elect 3 and write.
        var m = Ids(5).Select(id => NewRaft(id, Ids(5))).ToArray();
        var net = TestNetwork.Of(m[0], m[1], m[2], m[3], m[4]);
        net.Send(Hup(1));
        foreach (var minority in new ulong[] { 1, 2 })
        {
            foreach (var majority in new ulong[] { 3, 4, 5 })
            {
                net.Cut(minority, majority);
            }
        }
        net.Send(Hup(3));
        net.Send(Prop(3, "newer"));
        Assert.Equal(RaftRole.Leader, m[2].State);
        Assert.Equal(RaftRole.Leader, m[0].State);

        // The old leader still believes it leads; 2 acknowledges, but two of five are no quorum.
        Assert.Equal(ProposalStatus.Accepted, m[0].ReadIndex(ByteString.CopyFromUtf8("stale?")));
        net.Send(Read(m[0]).ToArray());
        Assert.Empty(m[0].ReadStates);
        Assert.Equal(1, m[0].PendingReadIndexCount);

        // Healed, its heartbeats reach members of a later term, which ignore them: still no
        // quorum, no answer.
        net.Recover();
        net.Send(Beat(1));
        Assert.Empty(m[0].ReadStates);

        // The new leader's heartbeat tells it it was deposed; the read is dropped, never answered.
        net.Send(Beat(3));
        Assert.Equal(RaftRole.Follower, m[0].State);
        Assert.Empty(m[0].ReadStates);
        Assert.Equal(0, m[0].PendingReadIndexCount);
    }

    [Fact]
    public void A_member_without_a_leader_drops_the_request()
    {
        var r = NewRaft(1, Ids(3));
        Assert.Equal(ProposalStatus.DroppedNoLeader, r.ReadIndex(ByteString.CopyFromUtf8("x")));

        r.Step(Hup(1));
        Assert.Equal(ProposalStatus.DroppedNoLeader, r.ReadIndex(ByteString.CopyFromUtf8("x")));
    }

    [Fact]
    public void The_only_voter_answers_at_once()
    {
        var r = NewRaft(1, NewStorage([1], [2]));
        r.Step(Hup(1));

        r.ReadIndex(ByteString.CopyFromUtf8("solo"));

        var rs = Assert.Single(r.ReadStates);
        Assert.Equal(r.Log.Committed, rs.Index);
    }

    [Fact]
    public void A_read_for_a_remote_member_is_answered_with_a_message()
    {
        var r = NewRaft(1, Ids(2), 5);
        MakeLeader(r);
        r.Log.CommitTo(r.Log.LastIndex());
        Read(r);

        r.Step(Msg(2, 1, MessageType.MsgReadIndex, entries: Entry.Of(0, 0, EntryType.EntryNormal, ByteString.CopyFromUtf8("ctx"))));
        var beat = Assert.Single(Read(r));
        Assert.Equal("ctx", beat.Context.ToStringUtf8());
        r.Step(Msg(2, 1, MessageType.MsgHeartbeatResp, term: r.Term).WithContext("ctx"));

        var resp = Assert.Single(Read(r), x => x.Type == MessageType.MsgReadIndexResp);
        Assert.Equal(2UL, resp.To);
        Assert.Equal(r.Log.Committed, resp.Index);
        Assert.Equal("ctx", Assert.Single(resp.Entries).Data.ToStringUtf8());
        Assert.Empty(r.ReadStates);
    }
}

internal static class MessageContext
{
    public static Message WithContext(this Message m, string ctx)
    {
        m.Context = ByteString.CopyFromUtf8(ctx);
        return m;
    }
}
