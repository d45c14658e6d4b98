using Cairn.Raft;
using Cairn.Server.Errors;

namespace Cairn.Server.Proposals;

/// <summary>What a client is told when raft does not take its proposal.</summary>
public static class ProposalErrors
{
    public static EtcdError ToEtcdError(ProposalResult result) => result.Status switch
    {
        ProposalStatus.DroppedNoLeader => EtcdErrors.NoLeader,
        ProposalStatus.DroppedLeadershipTransfer => EtcdErrors.LeaderChanged,
        // What etcd's raft says for the rest, and etcd passes on unmapped.
        _ => EtcdError.Unknown("raft proposal dropped"),
    };
}
