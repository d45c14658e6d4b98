namespace Cairn.Server.Membership;

/// <summary>Why a conf change cannot be applied (etcd's membership errors).</summary>
public enum MembershipError
{
    /// <summary>membership: ID removed.</summary>
    IdRemoved,

    /// <summary>membership: ID exists.</summary>
    IdExists,

    /// <summary>membership: ID not found.</summary>
    IdNotFound,

    /// <summary>membership: peerURL exists.</summary>
    PeerUrlExists,

    /// <summary>membership: can only promote a learner member.</summary>
    MemberNotLearner,

    /// <summary>The conf change carries no usable member.</summary>
    Malformed,
}
