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
        var sb = new StringBuilder();
        sb.Append("{\"id\":").Append(Id.ToString(CultureInfo.InvariantCulture));
        sb.Append(",\"peerURLs\":");
        GoJson.AppendStringArray(sb, PeerUrls);
        if (IsLearner)
        {
            sb.Append(",\"isLearner\":true");
        }
        if (Name.Length > 0)
        {
            sb.Append(",\"name\":");
            GoJson.AppendString(sb, Name);
        }
        if (ClientUrls is { Count: > 0 })
        {
            sb.Append(",\"clientURLs\":");
            GoJson.AppendStringArray(sb, ClientUrls);
        }
        sb.Append('}');
        return Encoding.UTF8.GetBytes(sb.ToString());
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

/// <summary>Go's encoding/json string escaping (Go 1.19, HTML-safe as json.Marshal does).</summary>
internal static class GoJson
{
    private const string HexDigits = "0123456789abcdef";

    public static void AppendStringArray(StringBuilder sb, IReadOnlyList<string> values)
    {
        sb.Append('[');
        for (var i = 0; i < values.Count; i++)
        {
            if (i > 0)
            {
                sb.Append(',');
            }
            AppendString(sb, values[i]);
        }
        sb.Append(']');
    }

    public static void AppendString(StringBuilder sb, string value)
    {
        sb.Append('"');
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            switch (c)
            {
                case '"':
                    sb.Append("\\\"");
                    break;
                case '\\':
                    sb.Append("\\\\");
                    break;
                case '\n':
                    sb.Append("\\n");
                    break;
                case '\r':
                    sb.Append("\\r");
                    break;
                case '\t':
                    sb.Append("\\t");
                    break;
                case '<' or '>' or '&' or '\u2028' or '\u2029':
                case < ' ':
                    sb.Append("\\u").Append(HexDigits[c >> 12]).Append(HexDigits[(c >> 8) & 0xF]).Append(HexDigits[(c >> 4) & 0xF]).Append(HexDigits[c & 0xF]);
                    break;
                default:
                    if (char.IsSurrogate(c) && !(char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1])))
                    {
                        sb.Append("\\ufffd");
                    }
                    else
                    {
                        sb.Append(c);
                        if (char.IsHighSurrogate(c))
                        {
                            sb.Append(value[++i]);
                        }
                    }
                    break;
            }
        }
        sb.Append('"');
    }
}
