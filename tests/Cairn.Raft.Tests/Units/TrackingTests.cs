using Cairn.Raft.Tracking;

namespace Cairn.Raft.Tests.Units;

public class TrackingTests
{
    [Fact]
    public void Inflights_fill_to_their_size_and_wrap_around()
    {
        var ins = new Inflights(10);
        for (var i = 0UL; i < 10; i++)
        {
            Assert.False(ins.Full);
            ins.Add(i);
        }
        Assert.True(ins.Full);
        Assert.Throws<RaftStateException>(() => ins.Add(10));

        ins.FreeLE(4);
        Assert.Equal(5, ins.Count);
        ins.FreeLE(8);
        Assert.Equal(1, ins.Count);
        for (var i = 10UL; i < 15; i++)
        {
            ins.Add(i);
        }
        ins.FreeLE(12);
        Assert.Equal(2, ins.Count);
        ins.FreeLE(14);
        Assert.Equal(0, ins.Count);
    }

    [Fact]
    public void FreeFirstOne_frees_exactly_the_oldest_message()
    {
        var ins = new Inflights(10);
        for (var i = 0UL; i < 10; i++)
        {
            ins.Add(i);
        }
        ins.FreeFirstOne();
        Assert.Equal(9, ins.Count);
        ins.FreeLE(0);
        Assert.Equal(9, ins.Count);
    }

    [Theory]
    [InlineData(ProgressState.Probe, false, false)]
    [InlineData(ProgressState.Probe, true, true)]
    [InlineData(ProgressState.Replicate, false, false)]
    [InlineData(ProgressState.Replicate, true, false)]
    [InlineData(ProgressState.Snapshot, false, true)]
    [InlineData(ProgressState.Snapshot, true, true)]
    public void Progress_pauses_while_probing_after_a_send_or_while_a_snapshot_is_pending(ProgressState state, bool probeSent, bool paused)
    {
        var pr = new Progress(1, 256, false);
        switch (state)
        {
            case ProgressState.Replicate:
                pr.BecomeReplicate();
                break;
            case ProgressState.Snapshot:
                pr.BecomeSnapshot(5);
                break;
        }
        pr.ProbeSent = probeSent;
        Assert.Equal(paused, pr.IsPaused);
    }

    [Fact]
    public void Probe_after_a_snapshot_starts_past_the_snapshot()
    {
        var pr = new Progress(5, 256, false) { Match = 1 };
        pr.BecomeReplicate();
        pr.BecomeProbe();
        Assert.Equal(2UL, pr.Next);

        pr.BecomeSnapshot(10);
        pr.BecomeProbe();
        Assert.Equal(11UL, pr.Next);

        pr.BecomeSnapshot(0);
        pr.BecomeProbe();
        Assert.Equal(2UL, pr.Next);
    }

    [Theory]
    [InlineData(2UL, false, 3UL, 5UL)]   // never decreases match or next
    [InlineData(3UL, false, 3UL, 5UL)]
    [InlineData(4UL, true, 4UL, 5UL)]    // raises match, keeps next
    [InlineData(5UL, true, 5UL, 6UL)]    // raises both
    public void MaybeUpdate_only_moves_forward(ulong update, bool updated, ulong match, ulong next)
    {
        var pr = new Progress(5, 256, false) { Match = 3 };
        Assert.Equal(updated, pr.MaybeUpdate(update));
        Assert.Equal(match, pr.Match);
        Assert.Equal(next, pr.Next);
    }

    [Theory]
    [InlineData(ProgressState.Replicate, 5UL, 10UL, 5UL, 5UL, false, 10UL)]
    [InlineData(ProgressState.Replicate, 5UL, 10UL, 4UL, 4UL, false, 10UL)]
    [InlineData(ProgressState.Replicate, 5UL, 10UL, 9UL, 9UL, true, 6UL)]
    [InlineData(ProgressState.Probe, 0UL, 0UL, 0UL, 0UL, false, 0UL)]
    [InlineData(ProgressState.Probe, 0UL, 10UL, 5UL, 5UL, false, 10UL)]
    [InlineData(ProgressState.Probe, 0UL, 10UL, 9UL, 9UL, true, 9UL)]
    [InlineData(ProgressState.Probe, 0UL, 2UL, 1UL, 1UL, true, 1UL)]
    [InlineData(ProgressState.Probe, 0UL, 1UL, 0UL, 0UL, true, 1UL)]
    [InlineData(ProgressState.Probe, 0UL, 10UL, 9UL, 2UL, true, 3UL)]
    [InlineData(ProgressState.Probe, 0UL, 10UL, 9UL, 0UL, true, 1UL)]
    public void MaybeDecrTo_backs_off_by_the_hint_and_ignores_stale_rejections(ProgressState state, ulong match, ulong next, ulong rejected, ulong last, bool decreased, ulong wantNext)
    {
        var pr = new Progress(next, 256, false) { Match = match };
        if (state == ProgressState.Replicate)
        {
            pr.BecomeReplicate();
            pr.Next = next;
        }
        Assert.Equal(decreased, pr.MaybeDecrTo(rejected, last));
        Assert.Equal(match, pr.Match);
        Assert.Equal(wantNext, pr.Next);
    }

    [Fact]
    public void Progress_describes_itself_as_etcd_does()
    {
        var pr = new Progress(2, 1, true) { Match = 1, RecentActive = false };
        pr.BecomeSnapshot(123);
        pr.ProbeSent = true;
        Assert.Equal("StateSnapshot match=1 next=2 learner paused pendingSnap=123 inactive", pr.ToString());
    }

    [Theory]
    [InlineData(new ulong[] { 5 }, 5UL)]
    [InlineData(new ulong[] { 5, 3 }, 3UL)]
    [InlineData(new ulong[] { 5, 3, 1 }, 3UL)]
    [InlineData(new ulong[] { 5, 3, 1, 7 }, 3UL)]
    [InlineData(new ulong[] { 5, 3, 1, 7, 9 }, 5UL)]
    public void The_committed_index_is_the_majority_median_of_voter_matches(ulong[] matches, ulong want)
    {
        var t = new ProgressTracker(256);
        var progress = new Dictionary<ulong, Progress>();
        var ids = Enumerable.Range(1, matches.Length).Select(i => (ulong)i).ToArray();
        foreach (var id in ids)
        {
            progress[id] = new Progress(1, 256, false) { Match = matches[id - 1] };
        }
        // A learner far ahead changes nothing.
        progress[100] = new Progress(1, 256, true) { Match = 1000 };
        t.SetConfiguration(ids, [100], progress);

        Assert.Equal(want, t.Committed());
    }

    [Fact]
    public void Votes_are_won_lost_or_pending_by_voter_majority()
    {
        var t = new ProgressTracker(256);
        var progress = new Dictionary<ulong, Progress>();
        foreach (var id in new ulong[] { 1, 2, 3, 4, 5, 6 })
        {
            progress[id] = new Progress(1, 256, id == 6);
        }
        t.SetConfiguration([1, 2, 3, 4, 5], [6], progress);

        t.RecordVote(1, true);
        t.RecordVote(6, true);
        Assert.Equal((2 - 1, 0, VoteResult.Pending), t.TallyVotes());
        t.RecordVote(2, false);
        t.RecordVote(3, false);
        Assert.Equal(VoteResult.Pending, t.TallyVotes().Result);
        // A second answer does not change the first.
        t.RecordVote(2, true);
        t.RecordVote(4, false);
        Assert.Equal((1, 3, VoteResult.Lost), t.TallyVotes());

        t.ResetVotes();
        t.RecordVote(1, true);
        t.RecordVote(2, true);
        t.RecordVote(3, true);
        Assert.Equal(VoteResult.Won, t.TallyVotes().Result);
    }
}
