using Cairn.Protocol.Raftpb;
using Cairn.Raft.Tracking;

namespace Cairn.Raft.Membership;

/// <summary>
/// Applies single-member configuration changes (ConfChange v1: add voter, add learner, promote,
/// remove) and restores a configuration from a ConfState, as etcd's confchange.Changer does
/// outside joint consensus.
/// </summary>
internal static class ConfigurationChanger
{
    /// <summary>
    /// Applies one change. New members start probing from lastIndex. NodeId 0 is a no-op (etcd's
    /// server neutralizes a change it refuses that way). Throws <see cref="RaftConfChangeException"/>
    /// for a change that would leave no voter or has an unknown type.
    /// </summary>
    public static void Apply(ProgressTracker tracker, ConfChangeType type, ulong nodeId, ulong lastIndex)
    {
        if (nodeId == 0 || type == ConfChangeType.ConfChangeUpdateNode)
        {
            return;
        }
        var demotesLastVoter = type is ConfChangeType.ConfChangeRemoveNode or ConfChangeType.ConfChangeAddLearnerNode
            && tracker.Voters.Length == 1 && tracker.Voters[0] == nodeId;
        if (demotesLastVoter)
        {
            throw new RaftConfChangeException("removed all voters");
        }
        var voters = new List<ulong>(tracker.Voters);
        var learners = new List<ulong>(tracker.Learners);
        var progress = tracker.CopyProgress();
        switch (type)
        {
            case ConfChangeType.ConfChangeAddNode:
                MakeVoter(voters, learners, progress, nodeId, lastIndex, tracker.MaxInflight);
                break;
            case ConfChangeType.ConfChangeAddLearnerNode:
                MakeLearner(voters, learners, progress, nodeId, lastIndex, tracker.MaxInflight);
                break;
            case ConfChangeType.ConfChangeRemoveNode:
                voters.Remove(nodeId);
                learners.Remove(nodeId);
                progress.Remove(nodeId);
                break;
            default:
                throw new RaftConfChangeException($"unexpected conf type {(int)type}");
        }
        tracker.SetConfiguration(voters, learners, progress);
    }

    /// <summary>
    /// Replaces the tracker's configuration with cs (from storage or a snapshot): every member
    /// starts afresh. Throws <see cref="RaftConfChangeException"/> when cs is not a configuration
    /// this core supports (see <see cref="Check"/>).
    /// </summary>
    public static void Restore(ProgressTracker tracker, ConfState cs, ulong lastIndex)
    {
        var problem = Check(cs);
        if (problem is not null)
        {
            throw new RaftConfChangeException(problem);
        }
        var progress = new Dictionary<ulong, Progress>();
        foreach (var id in cs.Voters)
        {
            progress[id] = NewProgress(lastIndex, tracker.MaxInflight, isLearner: false);
        }
        foreach (var id in cs.Learners)
        {
            progress[id] = NewProgress(lastIndex, tracker.MaxInflight, isLearner: true);
        }
        tracker.SetConfiguration(cs.Voters, cs.Learners, progress);
    }

    /// <summary>Why cs cannot be restored, or null when it can.</summary>
    public static string? Check(ConfState cs)
    {
        if (cs.VotersOutgoing.Count > 0 || cs.LearnersNext.Count > 0 || cs.AutoLeave)
        {
            return "joint configurations (ConfChangeV2) are not supported";
        }
        var seen = new HashSet<ulong>();
        foreach (var id in cs.Voters)
        {
            if (id == 0 || !seen.Add(id))
            {
                return $"voter id {id} is zero or repeated";
            }
        }
        foreach (var id in cs.Learners)
        {
            if (id == 0 || !seen.Add(id))
            {
                return $"learner id {id} is zero, repeated or also a voter";
            }
        }
        if (cs.Voters.Count == 0 && cs.Learners.Count > 0)
        {
            return "learners without voters";
        }
        return null;
    }

    private static void MakeVoter(List<ulong> voters, List<ulong> learners, Dictionary<ulong, Progress> progress, ulong id, ulong lastIndex, int maxInflight)
    {
        if (!progress.TryGetValue(id, out var pr))
        {
            progress[id] = NewProgress(lastIndex, maxInflight, isLearner: false);
            voters.Add(id);
            return;
        }
        // Promotion keeps the learner's progress: it already has the log.
        pr.IsLearner = false;
        learners.Remove(id);
        if (!voters.Contains(id))
        {
            voters.Add(id);
        }
    }

    private static void MakeLearner(List<ulong> voters, List<ulong> learners, Dictionary<ulong, Progress> progress, ulong id, ulong lastIndex, int maxInflight)
    {
        if (!progress.TryGetValue(id, out var pr))
        {
            progress[id] = NewProgress(lastIndex, maxInflight, isLearner: true);
            learners.Add(id);
            return;
        }
        if (pr.IsLearner)
        {
            return;
        }
        // A voter demoted to learner keeps its progress.
        voters.Remove(id);
        pr.IsLearner = true;
        learners.Add(id);
    }

    // etcd starts a new member's Next at the last index (not after it) and counts it as recently
    // active, so CheckQuorum does not step down before it could answer.
    private static Progress NewProgress(ulong lastIndex, int maxInflight, bool isLearner) =>
        new(lastIndex, maxInflight, isLearner) { RecentActive = true };
}
