using Cairn.Protocol.Raftpb;
using Cairn.Raft.Core;
using Cairn.Raft.Tests.Harness;
using static Cairn.Raft.Tests.Harness.Kit;

namespace Cairn.Raft.Tests.Paper;

/// <summary>Raft paper §5.3: log replication and the log matching property.</summary>
public class LogReplicationTests
{
    [Fact]
    public void The_leader_appends_a_proposal_and_sends_it_with_the_preceding_index_and_term()
    {
        var r = CommittedLeader(3, out _);
        var li = r.Log.LastIndex();

        r.Step(Prop(1, "some data"));

        Assert.Equal(li + 1, r.Log.LastIndex());
        Assert.Equal(li, r.Log.Committed);
        var want = Ent(1, li + 1, "some data");
        Assert.Equal(
            new[]
            {
                Msg(1, 2, MessageType.MsgApp, term: 1, index: li, logTerm: 1, commit: li, entries: want),
                Msg(1, 3, MessageType.MsgApp, term: 1, index: li, logTerm: 1, commit: li, entries: want),
            },
            ReadSorted(r));
        Assert.Equal(new[] { want }, r.Log.UnstableEntries.ToArray());
    }

    [Fact]
    public void A_replicated_entry_is_committed_handed_out_for_apply_and_the_commit_index_sent_on()
    {
        var r = CommittedLeader(3, out _);
        var li = r.Log.LastIndex();
        r.Step(Prop(1, "some data"));

        foreach (var m in Read(r))
        {
            r.Step(AcceptAndReply(m));
        }

        Assert.Equal(li + 1, r.Log.Committed);
        Assert.Equal(new[] { Ent(1, li + 1, "some data") }, r.Log.NextEntries().ToArray());
        var msgs = ReadSorted(r);
        Assert.Equal(new ulong[] { 2, 3 }, msgs.Select(m => m.To));
        Assert.All(msgs, m =>
        {
            Assert.Equal(MessageType.MsgApp, m.Type);
            Assert.Equal(li + 1, m.Commit);
        });
    }

    [Theory]
    [InlineData(1, new ulong[0], true)]
    [InlineData(3, new ulong[0], false)]
    [InlineData(3, new ulong[] { 2 }, true)]
    [InlineData(3, new ulong[] { 2, 3 }, true)]
    [InlineData(5, new ulong[0], false)]
    [InlineData(5, new ulong[] { 2 }, false)]
    [InlineData(5, new ulong[] { 2, 3 }, true)]
    [InlineData(5, new ulong[] { 2, 3, 4 }, true)]
    [InlineData(5, new ulong[] { 2, 3, 4, 5 }, true)]
    public void An_entry_commits_once_a_majority_stores_it(int size, ulong[] acceptors, bool committed)
    {
        var r = CommittedLeader(size, out _);
        var li = r.Log.LastIndex();
        r.Step(Prop(1, "some data"));

        foreach (var m in Read(r))
        {
            if (acceptors.Contains(m.To))
            {
                r.Step(AcceptAndReply(m));
            }
        }

        Assert.Equal(committed, r.Log.Committed > li);
    }

    public static TheoryData<ulong[]> PrecedingLogs() => new()
    {
        Array.Empty<ulong>(),
        new ulong[] { 2 },
        new ulong[] { 1, 2 },
        new ulong[] { 1 },
    };

    [Theory]
    [MemberData(nameof(PrecedingLogs))]
    public void Committing_an_entry_commits_every_preceding_entry_including_earlier_leaders(ulong[] terms)
    {
        var s = NewStorage(Ids(3));
        s.Append(EntsWithTerms(terms));
        var r = NewRaft(1, s);
        r.LoadState(HardState.Of(2, 0, 0));
        MakeLeader(r);
        r.Step(Prop(1, "some data"));

        foreach (var m in Read(r))
        {
            r.Step(AcceptAndReply(m));
        }

        var li = (ulong)terms.Length;
        var want = EntsWithTerms(terms).Append(Ent(3, li + 1)).Append(Ent(3, li + 2, "some data"));
        Assert.Equal(want, r.Log.NextEntries().ToArray());
    }

    [Theory]
    [InlineData(new[] { "some data" }, 1)]
    [InlineData(new[] { "some data", "some data2" }, 2)]
    [InlineData(new[] { "some data2", "some data" }, 2)]
    [InlineData(new[] { "some data", "some data2" }, 1)]
    public void A_follower_applies_entries_in_order_once_it_learns_they_are_committed(string[] data, ulong commit)
    {
        var r = NewRaft(1, Ids(3));
        r.BecomeFollower(1, 2);
        var ents = data.Select((d, i) => Ent(1, (ulong)i + 1, d)).ToArray();

        r.Step(Msg(2, 1, MessageType.MsgApp, term: 1, commit: commit, entries: ents));

        Assert.Equal(commit, r.Log.Committed);
        Assert.Equal(ents.Take((int)commit), r.Log.NextEntries().ToArray());
    }

    [Theory]
    // Matches committed entries.
    [InlineData(0UL, 0UL, 1UL, false, 0UL)]
    [InlineData(1UL, 1UL, 1UL, false, 0UL)]
    // Matches an uncommitted entry.
    [InlineData(2UL, 2UL, 2UL, false, 0UL)]
    // Index exists with another term: rejected with our last index as the hint.
    [InlineData(1UL, 2UL, 2UL, true, 2UL)]
    // Index beyond our log.
    [InlineData(3UL, 3UL, 3UL, true, 2UL)]
    public void A_follower_refuses_entries_unless_it_holds_the_preceding_entry(ulong logTerm, ulong index, ulong respIndex, bool reject, ulong hint)
    {
        var s = NewStorage(Ids(3));
        s.Append(EntsWithTerms(1, 2));
        var r = NewRaft(1, s);
        r.LoadState(HardState.Of(0, 0, 1));
        r.BecomeFollower(2, 2);

        r.Step(Msg(2, 1, MessageType.MsgApp, term: 2, logTerm: logTerm, index: index));

        Assert.Equal(new[] { Msg(1, 2, MessageType.MsgAppResp, term: 2, index: respIndex, reject: reject, rejectHint: hint) }, Read(r));
    }

    public static TheoryData<ulong, ulong, Entry[], Entry[], Entry[]> Appends() => new()
    {
        { 2, 2, new[] { Ent(3, 3) }, new[] { Ent(1, 1), Ent(2, 2), Ent(3, 3) }, new[] { Ent(3, 3) } },
        { 1, 1, new[] { Ent(3, 2), Ent(4, 3) }, new[] { Ent(1, 1), Ent(3, 2), Ent(4, 3) }, new[] { Ent(3, 2), Ent(4, 3) } },
        { 0, 0, new[] { Ent(1, 1) }, new[] { Ent(1, 1), Ent(2, 2) }, Array.Empty<Entry>() },
        { 0, 0, new[] { Ent(3, 1) }, new[] { Ent(3, 1) }, new[] { Ent(3, 1) } },
    };

    [Theory]
    [MemberData(nameof(Appends))]
    public void A_follower_deletes_conflicting_entries_and_appends_the_new_ones(ulong index, ulong logTerm, Entry[] ents, Entry[] wantLog, Entry[] wantUnstable)
    {
        var s = NewStorage(Ids(3));
        s.Append(EntsWithTerms(1, 2));
        var r = NewRaft(1, s);
        r.BecomeFollower(2, 2);

        r.Step(Msg(2, 1, MessageType.MsgApp, term: 2, logTerm: logTerm, index: index, entries: ents));

        Assert.Equal(wantLog, AllEntries(r));
        Assert.Equal(wantUnstable, r.Log.UnstableEntries.ToArray());
    }

    public static TheoryData<ulong[]> Figure7Followers() => new()
    {
        new ulong[] { 1, 1, 1, 4, 4, 5, 5, 6, 6 },             // (a) missing one entry
        new ulong[] { 1, 1, 1, 4 },                            // (b) missing many
        new ulong[] { 1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6 },       // (c) an extra uncommitted entry
        new ulong[] { 1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7 },    // (d) extra entries of a later term
        new ulong[] { 1, 1, 1, 4, 4, 4, 4 },                   // (e) missing and extra
        new ulong[] { 1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3 },       // (f) a different history
    };

    [Theory]
    [MemberData(nameof(Figure7Followers))]
    public void The_leader_brings_any_follower_log_of_figure_7_in_line_with_its_own(ulong[] followerTerms)
    {
        const ulong term = 8;
        var leadStorage = NewStorage(Ids(3));
        leadStorage.Append(EntsWithTerms(1, 1, 1, 4, 4, 5, 5, 6, 6, 6));
        var lead = NewRaft(1, leadStorage);
        lead.LoadState(HardState.Of(term, 0, lead.Log.LastIndex()));
        var followerStorage = NewStorage(Ids(3));
        followerStorage.Append(EntsWithTerms(followerTerms));
        var follower = NewRaft(2, followerStorage);
        follower.LoadState(HardState.Of(term - 1, 0, 0));

        // A third member is needed: the follower may have the better log, so 1 needs 3's vote.
        var net = TestNetwork.Of(lead, follower, BlackHole.Instance);
        net.Send(Hup(1));
        net.Send(Msg(3, 1, MessageType.MsgVoteResp, term: term + 1));
        net.Send(PropEmpty(1));

        Assert.Equal(RaftRole.Leader, lead.State);
        Assert.Equal(lead.Log.Committed, follower.Log.Committed);
        Assert.Equal(AllEntries(lead), AllEntries(follower));
    }

    [Theory]
    [InlineData(2UL, 3UL, 2UL, 3UL, 0UL, 2UL, 0UL, true)]   // previous entry has another term
    [InlineData(2UL, 3UL, 3UL, 3UL, 0UL, 2UL, 0UL, true)]   // previous entry missing
    [InlineData(2UL, 1UL, 1UL, 1UL, 0UL, 2UL, 1UL, false)]
    [InlineData(2UL, 0UL, 0UL, 1UL, 2UL, 1UL, 1UL, false)]  // replaces entry 1 and drops 2
    [InlineData(2UL, 2UL, 2UL, 3UL, 2UL, 4UL, 3UL, false)]  // (two entries of term 2 appended)
    [InlineData(2UL, 2UL, 2UL, 4UL, 2UL, 3UL, 3UL, false)]
    [InlineData(2UL, 1UL, 1UL, 4UL, 2UL, 2UL, 2UL, false)]
    // The commit index never passes the last entry the message vouches for.
    [InlineData(2UL, 1UL, 1UL, 3UL, 0UL, 2UL, 1UL, false)]
    [InlineData(2UL, 1UL, 1UL, 3UL, 2UL, 2UL, 2UL, false)]
    [InlineData(2UL, 2UL, 2UL, 3UL, 0UL, 2UL, 2UL, false)]
    [InlineData(2UL, 2UL, 2UL, 4UL, 0UL, 2UL, 2UL, false)]
    public void Appends_commit_at_most_up_to_the_last_new_entry(ulong term, ulong logTerm, ulong index, ulong commit, ulong entryTerm, ulong wantLast, ulong wantCommit, bool reject)
    {
        var s = NewStorage(Ids(1));
        s.Append(EntsWithTerms(1, 2));
        var r = NewRaft(1, s);
        r.BecomeFollower(2, 0);
        var entries = entryTerm == 0
            ? Array.Empty<Entry>()
            : wantLast == 4 ? new[] { Ent(entryTerm, index + 1), Ent(entryTerm, index + 2) } : new[] { Ent(entryTerm, index + 1) };

        r.Step(Msg(2, 1, MessageType.MsgApp, term: term, logTerm: logTerm, index: index, commit: commit, entries: entries));

        Assert.Equal(wantLast, r.Log.LastIndex());
        Assert.Equal(wantCommit, r.Log.Committed);
        var resp = Assert.Single(Read(r));
        Assert.Equal(reject, resp.Reject);
    }

    [Fact]
    public void Proposals_replicate_to_every_member_through_any_leader()
    {
        var net = TestNetwork.Of(null, null, null);
        net.Send(Hup(1));
        net.Send(Prop(1, "first"));
        net.Send(Hup(2));
        net.Send(Prop(2, "second"));

        foreach (var id in Ids(3))
        {
            var r = net[id];
            Assert.Equal(4UL, r.Log.Committed);
            var data = NextEnts(r, net.Storage[id]).Where(e => !e.Data.IsEmpty).Select(e => e.Data.ToStringUtf8());
            Assert.Equal(new[] { "first", "second" }, data);
        }
    }

    [Fact]
    public void A_follower_forwards_proposals_to_the_leader()
    {
        foreach (var peers in new[] { new object?[] { null, null, null }, new object?[] { null, null, BlackHole.Instance } })
        {
            var net = TestNetwork.Of(peers);
            net.Send(Hup(1));
            net.Send(Prop(2, "somedata"));

            var want = new[] { Ent(1, 1), Ent(1, 2, "somedata") };
            Assert.Equal(want, AllEntries(net[1]));
            Assert.Equal(want, AllEntries(net[2]));
            Assert.Equal(2UL, net[1].Log.Committed);
        }
    }

    [Fact]
    public void A_single_member_commits_on_its_own()
    {
        var net = TestNetwork.Of(new object?[] { null });
        net.Send(Hup(1));
        net.Send(Prop(1, "some data"));
        net.Send(Prop(1, "some data"));

        Assert.Equal(3UL, net[1].Log.Committed);
    }

    [Fact]
    public void A_rejection_hint_lets_the_leader_skip_back_to_the_follower_log_end_in_one_step()
    {
        var leaderStorage = NewStorage(Ids(2));
        leaderStorage.Append(EntsWithTerms(1, 1, 1, 1, 1, 1, 1, 1, 1, 1));
        var leader = NewRaft(1, leaderStorage);
        leader.LoadState(HardState.Of(1, 0, 0));
        MakeLeader(leader);
        Read(leader);
        var follower = NewRaft(2, NewStorage(Ids(2)));
        follower.BecomeFollower(leader.Term, 1);

        // The leader probes after the entries it had before its term; the empty follower rejects
        // and hints its last index, 0.
        leader.BroadcastAppend();
        var probe = Assert.Single(Read(leader));
        Assert.Equal(10UL, probe.Index);
        follower.Step(probe);
        var reject = Assert.Single(Read(follower));
        Assert.True(reject.Reject);
        Assert.Equal(0UL, reject.RejectHint);
        leader.Step(reject);

        var retry = Assert.Single(Read(leader));
        Assert.Equal(0UL, retry.Index);
        Assert.Equal(11, retry.Entries.Count);
    }
}
