using System.Text.Json;
using Cairn.Storage.Backend;

namespace Cairn.Server.Membership;

/// <summary>
/// What etcd puts in a conf change's context: the member as JSON (Go's json.Marshal of
/// membership.Member), plus "isPromote" when an AddNode promotes a learner (ConfigChangeContext
/// embeds the member, so its fields sit at the top level).
/// </summary>
public sealed record ConfChangeContext(Member Member, bool IsPromote)
{
    /// <summary>Reads a context; null when it is empty or not a member.</summary>
    public static ConfChangeContext? Parse(ReadOnlySpan<byte> json)
    {
        if (json.IsEmpty)
        {
            return null;
        }
        try
        {
            var record = MemberRecord.FromJson(json);
            using var doc = JsonDocument.Parse(json.ToArray());
            bool promote = doc.RootElement.TryGetProperty("isPromote", out var p) && p.ValueKind == JsonValueKind.True;
            return new ConfChangeContext(Member.FromRecord(record), promote);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }
}
