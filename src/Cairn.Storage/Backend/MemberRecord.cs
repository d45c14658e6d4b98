using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Cairn.Storage.Backend;

/// <summary>
/// A cluster member as etcd 3.4 keeps it in the members bucket: key the member id in lowercase hex
/// (types.ID.String), value Go's json.Marshal of membership.Member:
/// {"id":N,"peerURLs":[..],"isLearner":true,"name":"..","clientURLs":[..]} with isLearner, name and
/// clientURLs left out when empty.
/// </summary>
public sealed record MemberRecord(ulong Id, IReadOnlyList<string> PeerUrls, string Name = "", IReadOnlyList<string>? ClientUrls = null, bool IsLearner = false)
{
    /// <summary>The bucket key: the id as etcd's types.ID prints it (%x).</summary>
    public static string KeyOf(ulong id) => id.ToString("x", CultureInfo.InvariantCulture);

    public static ulong ParseKey(ReadOnlySpan<byte> key) =>
        ulong.Parse(Encoding.ASCII.GetString(key), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);

    /// <summary>The JSON bytes etcd writes (Go's encoding/json, field order and escaping included).</summary>
    public byte[] ToJson()
    {
        var json = new GoJsonWriter().StartObject().Name("id").Number(Id).Name("peerURLs").Strings(PeerUrls);
        if (IsLearner)
        {
            json.Name("isLearner").Bool(true);
        }
        if (Name.Length > 0)
        {
            json.Name("name").String(Name);
        }
        if (ClientUrls is { Count: > 0 })
        {
            json.Name("clientURLs").Strings(ClientUrls);
        }
        return json.EndObject().ToUtf8();
    }

    public static MemberRecord FromJson(ReadOnlySpan<byte> json)
    {
        using var doc = JsonDocument.Parse(json.ToArray());
        var root = doc.RootElement;
        static IReadOnlyList<string> Strings(JsonElement e, string name) =>
            e.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.Array
                ? p.EnumerateArray().Select(x => x.GetString() ?? "").ToArray()
                : [];
        return new MemberRecord(
            root.GetProperty("id").GetUInt64(),
            Strings(root, "peerURLs"),
            root.TryGetProperty("name", out var name) ? name.GetString() ?? "" : "",
            Strings(root, "clientURLs"),
            root.TryGetProperty("isLearner", out var learner) && learner.ValueKind == JsonValueKind.True);
    }

    public bool Equals(MemberRecord? other) =>
        other is not null && Id == other.Id && Name == other.Name && IsLearner == other.IsLearner
        && PeerUrls.SequenceEqual(other.PeerUrls) && (ClientUrls ?? []).SequenceEqual(other.ClientUrls ?? []);

    public override int GetHashCode() => HashCode.Combine(Id, Name, IsLearner);
}
