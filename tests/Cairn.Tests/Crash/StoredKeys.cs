using Cairn.Protocol.Etcdserverpb;
using Cairn.Server.Grpc.Client;
using Cairn.Tests.Processes;
using Google.Protobuf;

namespace Cairn.Tests.Crash;

/// <summary>One key as the server returns it.</summary>
public sealed record StoredKey(string Value, long CreateRevision, long ModRevision, long Version);

/// <summary>
/// Reads every key under a prefix: a linearizable range for the first page, then the following pages at that page's
/// revision, so the whole is one consistent view however large the values are.
/// </summary>
public static class StoredKeys
{
    private const int PageSize = 100;

    public static async Task<(long Revision, Dictionary<string, StoredKey> Keys)> ReadAsync(string clientUrl, string prefix)
    {
        using var channel = new GrpcChannel(clientUrl);
        var end = prefix.ToCharArray();
        end[^1]++;
        var rangeEnd = ByteString.CopyFromUtf8(new string(end));
        var keys = new Dictionary<string, StoredKey>(StringComparer.Ordinal);
        var from = ByteString.CopyFromUtf8(prefix);
        var revision = 0L;
        long total = -1;
        while (true)
        {
            var response = await channel.UnaryAsync(
                KvCalls.Range,
                new RangeRequest { Key = from, RangeEnd = rangeEnd, Limit = PageSize, Revision = revision },
                new GrpcCallOptions { Timeout = TimeSpan.FromSeconds(60) });
            if (revision == 0)
            {
                revision = response.Header.Revision;
                total = response.Count;
            }

            foreach (var kv in response.Kvs)
            {
                keys[kv.Key.ToStringUtf8()] = new StoredKey(kv.Value.ToStringUtf8(), kv.CreateRevision, kv.ModRevision, kv.Version);
            }

            if (!response.More || response.Kvs.Count == 0)
            {
                break;
            }

            from = ByteString.CopyFrom([.. response.Kvs[^1].Key, 0]);
        }

        if (keys.Count != total)
        {
            throw new InvalidOperationException($"range over {prefix} at revision {revision} returned {keys.Count} of {total} keys");
        }

        return (revision, keys);
    }
}
