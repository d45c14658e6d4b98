using Cairn.Protocol.Mvccpb;
using Google.Protobuf;

namespace Cairn.Server.Tests.Watch;

/// <summary>The key space as a plain map, to derive independently the events a write makes.</summary>
internal sealed class WatchModel
{
    private readonly Dictionary<string, KeyValue> _keys = [];

    /// <summary>The events of a write at <paramref name="revision"/> changing <paramref name="changes"/> (value null: delete) in order.</summary>
    public List<Event> Apply(long revision, IEnumerable<(string Key, string? Value)> changes)
    {
        var events = new List<Event>();
        foreach (var (key, value) in changes)
        {
            _keys.TryGetValue(key, out var previous);
            if (value is null)
            {
                if (previous is null)
                {
                    continue;
                }
                _keys.Remove(key);
                events.Add(new Event { Type = Event.Types.EventType.Delete, Kv = new KeyValue { Key = ByteString.CopyFromUtf8(key), ModRevision = revision }, PrevKv = previous });
                continue;
            }
            var kv = new KeyValue
            {
                Key = ByteString.CopyFromUtf8(key),
                Value = ByteString.CopyFromUtf8(value),
                CreateRevision = previous?.CreateRevision ?? revision,
                ModRevision = revision,
                Version = (previous?.Version ?? 0) + 1,
            };
            _keys[key] = kv;
            events.Add(new Event { Kv = kv, PrevKv = previous });
        }
        return events;
    }

    public bool Exists(string key) => _keys.ContainsKey(key);
}
