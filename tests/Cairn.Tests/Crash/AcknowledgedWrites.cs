using Cairn.Tests.Processes;

namespace Cairn.Tests.Crash;

/// <summary>
/// What a restarted server must show of the puts acknowledged before it went down: each key with its value, written
/// once at the acknowledged revision; every key a restart already showed still there at the same revision; no
/// revision holding two puts; a store revision no lower than the highest acknowledged one.
/// </summary>
public static class AcknowledgedWrites
{
    /// <summary>Reads what the server holds under <see cref="CrashWriter.Prefix"/> and lists what breaks the rules; records the keys it saw in <paramref name="seen"/>.</summary>
    public static async Task<(List<string> Problems, Dictionary<string, StoredKey> Stored)> CheckAsync(
        TestMember member, IEnumerable<AcknowledgedWrite> acknowledged, Dictionary<string, long> seen)
    {
        var (revision, stored) = await StoredKeys.ReadAsync(member.ClientUrl, CrashWriter.Prefix);
        var problems = new List<string>();
        var maxAcknowledged = 0L;
        foreach (var write in acknowledged)
        {
            maxAcknowledged = Math.Max(maxAcknowledged, write.Revision);
            if (!stored.TryGetValue(write.Key, out var kv))
            {
                problems.Add($"{write.Key}: acknowledged at revision {write.Revision}, missing");
            }
            else if (kv.Value != write.Value || kv.ModRevision != write.Revision || kv.CreateRevision != write.Revision || kv.Version != 1)
            {
                problems.Add($"{write.Key}: acknowledged at revision {write.Revision}, stored create {kv.CreateRevision} mod {kv.ModRevision} version {kv.Version}, value {(kv.Value == write.Value ? "same" : "different")}");
            }
        }

        foreach (var (key, modRevision) in seen)
        {
            if (!stored.TryGetValue(key, out var kv) || kv.ModRevision != modRevision)
            {
                problems.Add($"{key}: shown at revision {modRevision} after an earlier restart, now {(kv is null ? "missing" : $"at {kv.ModRevision}")}");
            }
        }

        foreach (var group in stored.GroupBy(kv => kv.Value.ModRevision).Where(g => g.Count() > 1))
        {
            problems.Add($"revision {group.Key} holds {group.Count()} separate puts: {string.Join(", ", group.Select(kv => kv.Key))}");
        }

        if (revision < maxAcknowledged)
        {
            problems.Add($"store revision {revision} is below the highest acknowledged revision {maxAcknowledged}");
        }

        foreach (var (key, kv) in stored)
        {
            seen[key] = kv.ModRevision;
        }

        return (problems, stored);
    }
}
