using Cairn.Storage;

namespace Cairn.Server.Membership;

/// <summary>What a member publishes about itself through raft (etcd's membership.Attributes).</summary>
public sealed record MemberAttributes(string Name, IReadOnlyList<string> ClientUrls)
{
    /// <summary>Go's json.Marshal of the attributes (both fields omitted when empty), as etcd proposes it.</summary>
    public string ToJson()
    {
        var w = new GoJsonWriter().StartObject();
        if (Name.Length > 0)
        {
            w.Name("name").String(Name);
        }
        if (ClientUrls.Count > 0)
        {
            w.Name("clientURLs").Strings(ClientUrls);
        }
        return w.EndObject().ToString();
    }

    /// <summary>Go's %+v of the attributes, as etcd logs them.</summary>
    public string ToGoString() => $"{{Name:{Name} ClientURLs:[{string.Join(" ", ClientUrls)}]}}";
}
