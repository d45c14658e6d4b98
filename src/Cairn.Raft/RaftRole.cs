namespace Cairn.Raft;

/// <summary>The role a member plays in its current term; the numbering is etcd's StateType.</summary>
public enum RaftRole
{
    Follower = 0,
    Candidate = 1,
    Leader = 2,
    PreCandidate = 3,
}

public static class RaftRoleNames
{
    /// <summary>etcd's name for the role ("StateLeader", ...), as its status and logs show it.</summary>
    public static string ToEtcdName(this RaftRole role) => role switch
    {
        RaftRole.Follower => "StateFollower",
        RaftRole.Candidate => "StateCandidate",
        RaftRole.Leader => "StateLeader",
        RaftRole.PreCandidate => "StatePreCandidate",
        _ => role.ToString(),
    };
}
