using Cairn.Protocol.Raftpb;
using Cairn.Raft.Membership;

namespace Cairn.Raft.Core;

// Configuration changes (applied when their entry is applied, as etcd does) and snapshot restore.
internal sealed partial class RaftStateMachine
{
    public ConfState ApplyConfChange(ConfChange cc)
    {
        ConfigurationChanger.Apply(Tracker, cc.Type, cc.NodeId, Log.LastIndex());
        return OnConfigurationChanged();
    }

    /// <summary>Applies a simple ConfChangeV2 (one change, automatic transition) as etcd does: like v1.</summary>
    public ConfState ApplyConfChange(ConfChangeV2 cc)
    {
        var problem = ConfChangeEntries.CheckSimple(cc);
        if (problem is not null)
        {
            throw new RaftConfChangeException(problem);
        }
        if (cc.Changes.Count == 0)
        {
            throw new RaftConfChangeException("can't leave a non-joint config");
        }
        ConfigurationChanger.Apply(Tracker, cc.Changes[0].Type, cc.Changes[0].NodeId, Log.LastIndex());
        return OnConfigurationChanged();
    }

    /// <summary>
    /// Reacts to a new configuration (etcd's switchToConfig): a leader commits what the new quorum
    /// allows and probes new members at once.
    /// </summary>
    private ConfState OnConfigurationChanged()
    {
        var cs = Tracker.ConfState();
        var self = Tracker.Get(Id);
        IsLearner = self is not null && self.IsLearner;

        if ((self is null || IsLearner) && State == RaftRole.Leader)
        {
            StepDownAfterRemoval();
            return cs;
        }
        if (State != RaftRole.Leader || cs.Voters.Count == 0)
        {
            return cs;
        }
        if (MaybeCommit())
        {
            // A smaller quorum may commit more right away.
            BroadcastAppend();
        }
        else
        {
            // Probe new members now rather than at the next heartbeat or proposal.
            foreach (var id in Tracker.Ids)
            {
                if (id != Id)
                {
                    MaybeSendAppend(id, sendIfEmpty: false);
                }
            }
        }
        if (LeadTransferee != 0 && Tracker.Get(LeadTransferee) is null)
        {
            AbortLeaderTransfer();
        }
        return cs;
    }

    /// <summary>
    /// This leader has just applied its own removal (or demotion). etcd 3.4 keeps leading until
    /// its server stops it, leaving the others without a usable leader; Cairn steps down and tells
    /// the most up-to-date remaining voter to campaign at once, as a leadership transfer does.
    /// </summary>
    private void StepDownAfterRemoval()
    {
        ulong successor = 0;
        ulong bestMatch = 0;
        foreach (var id in Tracker.Voters)
        {
            var pr = Tracker.Get(id)!;
            if (successor == 0 || pr.Match > bestMatch)
            {
                successor = id;
                bestMatch = pr.Match;
            }
        }
        Info($"{Id:x} was removed from the configuration while leading; stepping down" +
             (successor != 0 ? $" and handing over to {successor:x}" : string.Empty));
        BecomeFollower(Term, 0);
        if (successor != 0)
        {
            SendTimeoutNow(successor);
        }
    }

    /// <summary>
    /// Installs a snapshot from the leader, replacing the log and the configuration. False when it
    /// is not newer than our commit index (or, defensively, does not include us).
    /// </summary>
    internal bool Restore(Snapshot s)
    {
        var meta = s.Metadata;
        if (meta.Index <= Log.Committed)
        {
            return false;
        }
        if (State != RaftRole.Follower)
        {
            // Defense in depth: a leader must never restore a snapshot. Move to a new term
            // rather than risk it.
            Warning($"{Id:x} attempted to restore snapshot as leader; should never happen");
            BecomeFollower(Term + 1, 0);
            return false;
        }
        var cs = meta.ConfState ?? new ConfState();
        if (!cs.Voters.Contains(Id) && !cs.Learners.Contains(Id))
        {
            Warning($"{Id:x} attempted to restore snapshot but it is not in the ConfState {cs}; should never happen");
            return false;
        }
        if (Log.MatchTerm(meta.Index, meta.Term))
        {
            // We already have the snapshot's last entry: just move the commit index.
            Info($"{Id:x} [commit: {Log.Committed}, lastindex: {Log.LastIndex()}, lastterm: {Log.LastTerm()}] fast-forwarded commit to snapshot " +
                 $"[index: {meta.Index}, term: {meta.Term}]");
            Log.CommitTo(meta.Index);
            return false;
        }

        Log.Restore(s);
        ConfigurationChanger.Restore(Tracker, cs, Log.LastIndex());
        OnConfigurationChanged();
        var self = Tracker.Get(Id)!;
        self.MaybeUpdate(self.Next - 1);
        Info($"{Id:x} [commit: {Log.Committed}, lastindex: {Log.LastIndex()}, lastterm: {Log.LastTerm()}] restored snapshot " +
             $"[index: {meta.Index}, term: {meta.Term}]");
        return true;
    }
}
