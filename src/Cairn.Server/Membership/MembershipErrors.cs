using Cairn.Server.Errors;

namespace Cairn.Server.Membership;

/// <summary>How membership refusals reach clients (etcd's togRPCError for membership errors).</summary>
public static class MembershipErrors
{
    public static EtcdError ToEtcdError(MembershipError error) => error switch
    {
        MembershipError.IdRemoved or MembershipError.IdNotFound => EtcdErrors.MemberNotFound,
        MembershipError.IdExists => EtcdErrors.MemberExists,
        MembershipError.PeerUrlExists => EtcdErrors.PeerUrlExists,
        MembershipError.MemberNotLearner => EtcdErrors.MemberNotLearner,
        _ => EtcdError.Unknown("membership: malformed conf change context"),
    };
}
