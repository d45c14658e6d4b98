using Cairn.Protocol.Etcdserverpb;
using Cairn.Server.Grpc.Client;
using Cairn.Tests.Processes;
using Google.Protobuf;

namespace Cairn.Tests.Crash;

/// <summary>One key as the server returns it.</summary>
public sealed record StoredKey(string Value, long CreateRevision, long ModRevision, long Version);

/// <summary>Reads every key under a prefix with one linearizable range.</summary>
public static class StoredKeys
{
    public static async Task<(long Revision, Dictionary<string, StoredKey> Keys)> ReadAsync(string clientUrl, string prefix)
    {
        using var channel = new GrpcChannel(clientUrl);
        var end = prefix.ToCharArray();
        end[^1]++;
        var response = await channel.UnaryAsync(
            KvCalls.Range,
            new RangeRequest { Key = ByteString.CopyFromUtf8(prefix), RangeEnd = ByteString.CopyFromUtf8(new string(end)) },
            new GrpcCallOptions { Timeout = TimeSpan.FromSeconds(60) });
        var keys = new Dictionary<string, StoredKey>(StringComparer.Ordinal);
        foreach (var kv in response.Kvs)
        {
            keys[kv.Key.ToStringUtf8()] = new StoredKey(kv.Value.ToStringUtf8(), kv.CreateRevision, kv.ModRevision, kv.Version);
        }

        if (response.More || response.Count != keys.Count)
        {
            throw new InvalidOperationException($"range over {prefix} returned {keys.Count} of {response.Count} keys (more: {response.More})");
        }

        return (response.Header.Revision, keys);
    }
}
