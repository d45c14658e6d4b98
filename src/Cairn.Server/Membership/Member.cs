using Cairn.Storage.Backend;

namespace Cairn.Server.Membership;

/// <summary>
/// One cluster member as etcd's membership package knows it: raft attributes (peer URLs, learner)
/// agreed through conf changes, and attributes (name, client URLs) the member publishes itself.
/// </summary>
public sealed record Member(ulong Id, string Name, IReadOnlyList<string> PeerUrls, IReadOnlyList<string> ClientUrls, bool IsLearner)
{
    /// <summary>etcd's types.ID text: lower-case hex without leading zeros.</summary>
    public string IdText => MemberIds.Format(Id);

    public MemberRecord ToRecord() => new(Id, PeerUrls, Name, ClientUrls, IsLearner);

    public static Member FromRecord(MemberRecord record) =>
        new(record.Id, record.Name, record.PeerUrls, record.ClientUrls ?? [], record.IsLearner);
}
