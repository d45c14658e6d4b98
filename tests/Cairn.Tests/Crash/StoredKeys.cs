using System.Text;
using System.Text.Json;
using Cairn.Tests.Processes;

namespace Cairn.Tests.Crash;

/// <summary>One key as the server returns it.</summary>
public sealed record StoredKey(string Value, long CreateRevision, long ModRevision, long Version);

/// <summary>Reads every key under a prefix (linearizable) with etcdctl.</summary>
public static class StoredKeys
{
    public static async Task<(long Revision, Dictionary<string, StoredKey> Keys)> ReadAsync(Etcdctl etcdctl, string prefix)
    {
        var json = JsonDocument.Parse(await etcdctl.OutputAsync("get", prefix, "--prefix", "-w", "json", "--command-timeout=60s")).RootElement;
        var keys = new Dictionary<string, StoredKey>(StringComparer.Ordinal);
        if (json.TryGetProperty("kvs", out var kvs))
        {
            foreach (var kv in kvs.EnumerateArray())
            {
                keys[Text(kv, "key")] = new StoredKey(Text(kv, "value"), Number(kv, "create_revision"), Number(kv, "mod_revision"), Number(kv, "version"));
            }
        }

        return (json.GetProperty("header").GetProperty("revision").GetInt64(), keys);
    }

    private static string Text(JsonElement kv, string name) =>
        kv.TryGetProperty(name, out var value) ? Encoding.UTF8.GetString(value.GetBytesFromBase64()) : "";

    private static long Number(JsonElement kv, string name) => kv.TryGetProperty(name, out var value) ? value.GetInt64() : 0;
}
