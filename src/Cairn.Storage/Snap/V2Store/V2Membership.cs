using System.Globalization;
using System.Text.Json;

namespace Cairn.Storage.Snap.V2Store;

/// <summary>
/// The cluster membership in the v2 store, laid out as etcd 3.4's <c>membership</c> package lays
/// it out: <c>/0/members/&lt;id&gt;/raftAttributes</c> (<c>{"peerURLs":[…],"isLearner":true}</c>),
/// <c>/0/members/&lt;id&gt;/attributes</c> (<c>{"name":…,"clientURLs":[…]}</c>),
/// <c>/0/removed_members/&lt;id&gt;</c> and <c>/0/version</c>. The writes are the same store
/// operations etcd performs, so both produce the same snapshot JSON.
/// </summary>
public static class V2Membership
{
    public const string MembersPrefix = "/0/members";
    public const string RemovedMembersPrefix = "/0/removed_members";
    public const string ClusterVersionKey = "/0/version";

    /// <summary>
    /// The members, by id. A member without raft attributes, or whose attributes are not JSON,
    /// is a <see cref="FormatException"/>, as it is an error in etcd.
    /// </summary>
    public static IReadOnlyList<V2Member> Members(V2Store store)
    {
        try
        {
            return ReadMembers(store);
        }
        catch (JsonException e)
        {
            throw new FormatException($"v2 store membership: {e.Message}", e);
        }
    }

    private static List<V2Member> ReadMembers(V2Store store)
    {
        var members = new List<V2Member>();
        if (store.Find(MembersPrefix) is not { IsDirectory: true } dir)
        {
            return members;
        }
        foreach (var node in dir.SortedChildren())
        {
            ulong id = ParseId(node.Name);
            var raft = node.Children?.GetValueOrDefault("raftAttributes")
                ?? throw new FormatException($"member {node.Name}: raftAttributes key doesn't exist");
            var attributes = node.Children.GetValueOrDefault("attributes");
            using var raftJson = JsonDocument.Parse(raft.Value);
            var peers = Strings(raftJson.RootElement, "peerURLs");
            bool learner = raftJson.RootElement.TryGetProperty("isLearner", out var l) && l.ValueKind == JsonValueKind.True;
            string name = "";
            IReadOnlyList<string> clients = [];
            if (attributes is not null)
            {
                using var attrJson = JsonDocument.Parse(attributes.Value);
                name = attrJson.RootElement.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()! : "";
                clients = Strings(attrJson.RootElement, "clientURLs");
            }
            members.Add(new V2Member(id, peers, learner, name, clients));
        }
        members.Sort((a, b) => a.Id.CompareTo(b.Id));
        return members;
    }

    /// <summary>Ids of removed members (they may never rejoin).</summary>
    public static IReadOnlyList<ulong> RemovedMembers(V2Store store) =>
        store.Find(RemovedMembersPrefix) is { IsDirectory: true } dir
            ? dir.SortedChildren().Select(n => ParseId(n.Name)).Order().ToList()
            : [];

    /// <summary>The cluster version (e.g. "3.4.0"), or null before one was decided.</summary>
    public static string? ClusterVersion(V2Store store) => store.Find(ClusterVersionKey)?.Value;

    /// <summary>Adds a member's raft attributes (etcd's <c>mustSaveMemberToStore</c>); attributes come later, when it publishes.</summary>
    public static void AddMember(V2Store store, ulong id, IReadOnlyList<string> peerUrls, bool isLearner) =>
        store.Create(MemberKey(id) + "/raftAttributes", dir: false, RaftAttributesJson(peerUrls, isLearner));

    /// <summary>Changes a member's peer URLs or learner flag (etcd's <c>mustUpdateMemberInStore</c>).</summary>
    public static void UpdateRaftAttributes(V2Store store, ulong id, IReadOnlyList<string> peerUrls, bool isLearner) =>
        store.Update(MemberKey(id) + "/raftAttributes", RaftAttributesJson(peerUrls, isLearner));

    /// <summary>Records a member's name and client URLs (etcd's <c>mustUpdateMemberAttrInStore</c>).</summary>
    public static void UpdateAttributes(V2Store store, ulong id, string name, IReadOnlyList<string> clientUrls)
    {
        var w = new GoJsonWriter().StartObject();
        if (name.Length != 0)
        {
            w.Name("name").String(name);
        }
        if (clientUrls.Count != 0)
        {
            w.Name("clientURLs").Strings(clientUrls);
        }
        store.Set(MemberKey(id) + "/attributes", dir: false, w.EndObject().ToString());
    }

    /// <summary>Removes a member and records it as removed (etcd's <c>mustDeleteMemberFromStore</c>).</summary>
    public static void RemoveMember(V2Store store, ulong id)
    {
        store.Delete(MemberKey(id), dir: true, recursive: true);
        store.Create(RemovedMembersPrefix + "/" + IdText(id), dir: false, "");
    }

    /// <summary>Records the cluster version (etcd's <c>mustSaveClusterVersionToStore</c>).</summary>
    public static void SetClusterVersion(V2Store store, string version) =>
        store.Set(ClusterVersionKey, dir: false, version);

    public static string MemberKey(ulong id) => MembersPrefix + "/" + IdText(id);

    private static string IdText(ulong id) => id.ToString("x", CultureInfo.InvariantCulture);

    private static string RaftAttributesJson(IReadOnlyList<string> peerUrls, bool isLearner)
    {
        var w = new GoJsonWriter().StartObject().Name("peerURLs").Strings(peerUrls);
        if (isLearner)
        {
            w.Name("isLearner").Bool(true);
        }
        return w.EndObject().ToString();
    }

    private static ulong ParseId(string text) =>
        ulong.TryParse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong id)
            ? id
            : throw new FormatException($"member id {text} is not hexadecimal");

    private static IReadOnlyList<string> Strings(JsonElement e, string name) =>
        e.TryGetProperty(name, out var a) && a.ValueKind == JsonValueKind.Array
            ? a.EnumerateArray().Select(x => x.GetString() ?? "").ToList()
            : [];
}
