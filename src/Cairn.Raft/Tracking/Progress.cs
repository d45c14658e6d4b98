namespace Cairn.Raft.Tracking;

/// <summary>The leader's view of one follower's log (etcd's tracker.Progress).</summary>
internal sealed class Progress
{
    public Progress(ulong next, int maxInflight, bool isLearner)
    {
        Next = next;
        Inflights = new Inflights(maxInflight);
        IsLearner = isLearner;
    }

    /// <summary>The highest index known to be replicated on the follower.</summary>
    public ulong Match { get; set; }

    /// <summary>The next index to send.</summary>
    public ulong Next { get; set; }

    public ProgressState State { get; private set; }

    /// <summary>The index of the snapshot in flight, while in Snapshot state.</summary>
    public ulong PendingSnapshot { get; set; }

    /// <summary>Heard from since the last CheckQuorum round.</summary>
    public bool RecentActive { get; set; }

    /// <summary>In Probe state: an append was sent and no answer came yet, so sending pauses.</summary>
    public bool ProbeSent { get; set; }

    public Inflights Inflights { get; }

    public bool IsLearner { get; set; }

    public void BecomeProbe()
    {
        // After a snapshot, the follower has at least the snapshot: probe from there.
        if (State == ProgressState.Snapshot)
        {
            var pendingSnapshot = PendingSnapshot;
            ResetState(ProgressState.Probe);
            Next = Math.Max(Match + 1, pendingSnapshot + 1);
        }
        else
        {
            ResetState(ProgressState.Probe);
            Next = Match + 1;
        }
    }

    public void BecomeReplicate()
    {
        ResetState(ProgressState.Replicate);
        Next = Match + 1;
    }

    public void BecomeSnapshot(ulong snapshotIndex)
    {
        ResetState(ProgressState.Snapshot);
        PendingSnapshot = snapshotIndex;
    }

    /// <summary>The follower acknowledged n; false when that told us nothing new.</summary>
    public bool MaybeUpdate(ulong n)
    {
        var updated = false;
        if (Match < n)
        {
            Match = n;
            updated = true;
            ProbeSent = false;
        }
        if (Next < n + 1)
        {
            Next = n + 1;
        }
        return updated;
    }

    public void OptimisticUpdate(ulong n) => Next = n + 1;

    /// <summary>
    /// The follower rejected an append at index rejected and hinted its last index; moves Next back.
    /// False when the rejection is stale (out of order).
    /// </summary>
    public bool MaybeDecrTo(ulong rejected, ulong last)
    {
        if (State == ProgressState.Replicate)
        {
            // A rejection at or below Match is stale: Match only grows on acknowledgements.
            if (rejected <= Match)
            {
                return false;
            }
            Next = Match + 1;
            return true;
        }
        // In Probe state only the rejection of the probe just sent counts.
        if (Next - 1 != rejected)
        {
            return false;
        }
        Next = Math.Min(rejected, last + 1);
        if (Next < 1)
        {
            Next = 1;
        }
        ProbeSent = false;
        return true;
    }

    /// <summary>Whether sending to this follower is on hold (etcd's IsPaused).</summary>
    public bool IsPaused => State switch
    {
        ProgressState.Probe => ProbeSent,
        ProgressState.Replicate => Inflights.Full,
        _ => true,
    };

    public override string ToString()
    {
        var s = $"{State.ToEtcdName()} match={Match} next={Next}";
        if (IsLearner)
        {
            s += " learner";
        }
        if (IsPaused)
        {
            s += " paused";
        }
        if (PendingSnapshot > 0)
        {
            s += $" pendingSnap={PendingSnapshot}";
        }
        if (!RecentActive)
        {
            s += " inactive";
        }
        if (Inflights.Count > 0)
        {
            s += $" inflight={Inflights.Count}";
            if (Inflights.Full)
            {
                s += "[full]";
            }
        }
        return s;
    }

    private void ResetState(ProgressState state)
    {
        ProbeSent = false;
        PendingSnapshot = 0;
        State = state;
        Inflights.Reset();
    }
}
