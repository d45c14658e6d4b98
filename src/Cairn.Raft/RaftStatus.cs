using System.Text;
using Cairn.Raft.Tracking;

namespace Cairn.Raft;

/// <summary>
/// The leader's view of one member's replication. Paused: nothing is sent to it now (a probe
/// awaits its answer, the in-flight window is full, or a snapshot is on its way).
/// </summary>
public readonly record struct PeerProgress(
    ulong Match,
    ulong Next,
    ProgressState State,
    bool IsLearner,
    bool RecentActive,
    bool ProbeSent,
    ulong PendingSnapshot,
    int Inflight,
    bool Paused);

/// <summary>A snapshot of a member's Raft state (etcd's raft.Status).</summary>
public sealed record RaftStatus(
    ulong Id,
    ulong Term,
    ulong Vote,
    ulong Commit,
    ulong Lead,
    RaftRole Role,
    ulong Applied,
    ulong LeadTransferee,
    IReadOnlyList<ulong> Voters,
    IReadOnlyList<ulong> Learners,
    IReadOnlyDictionary<ulong, PeerProgress> Progress)
{
    /// <summary>etcd's JSON form of the status (ids in hex), as its debug endpoints show it.</summary>
    public string ToEtcdJson()
    {
        var sb = new StringBuilder();
        sb.Append($"{{\"id\":\"{Id:x}\",\"term\":{Term},\"vote\":\"{Vote:x}\",\"commit\":{Commit},\"lead\":\"{Lead:x}\",");
        sb.Append($"\"raftState\":\"{Role.ToEtcdName()}\",\"applied\":{Applied},\"progress\":{{");
        var first = true;
        foreach (var (id, p) in Progress.OrderBy(kv => kv.Key))
        {
            if (!first)
            {
                sb.Append(',');
            }
            first = false;
            sb.Append($"\"{id:x}\":{{\"match\":{p.Match},\"next\":{p.Next},\"state\":\"{p.State.ToEtcdName()}\"}}");
        }
        sb.Append($"}},\"leadtransferee\":\"{LeadTransferee:x}\"}}");
        return sb.ToString();
    }
}
