namespace Cairn.Storage.Snap.V2Store;

/// <summary>A cluster member as the v2 store keeps it: raft attributes (peer URLs, learner) and attributes (name, client URLs).</summary>
public sealed record V2Member(ulong Id, IReadOnlyList<string> PeerUrls, bool IsLearner, string Name, IReadOnlyList<string> ClientUrls)
{
    /// <summary>The id as etcd writes it in keys and logs: lowercase hex without padding.</summary>
    public string IdText => Id.ToString("x", System.Globalization.CultureInfo.InvariantCulture);
}
