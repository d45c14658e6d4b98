using System.Text.Json;

namespace Cairn.Storage.Snap.V2Store;

/// <summary>
/// The JSON of etcd's v2 store, the data of an etcd 3.4 raft snapshot (<c>store.SaveNoCopy</c> /
/// <c>store.Recovery</c>): <c>{"Root":…,"WatcherHub":{"EventHistory":…},"CurrentIndex":…,"Stats":…,"CurrentVersion":2}</c>.
/// <see cref="Serialize"/> writes what etcd would write for the same store, byte for byte;
/// <see cref="Parse"/> reads what etcd writes (field names matched case-insensitively, as Go does).
/// </summary>
public static class V2StoreJson
{
    public static byte[] Serialize(V2Store store)
    {
        var w = new GoJsonWriter();
        w.StartObject();
        w.Name("Root");
        WriteNode(w, store.Root);
        w.Name("WatcherHub").StartObject().Name("EventHistory");
        WriteHistory(w, store.History);
        w.EndObject();
        w.Name("CurrentIndex").Number(store.CurrentIndex);
        w.Name("Stats").StartObject();
        foreach (string name in V2StoreStats.Names)
        {
            w.Name(name).Number(store.Stats[name]);
        }
        w.EndObject();
        w.Name("CurrentVersion").Number(store.CurrentVersion);
        w.EndObject();
        return w.ToUtf8();
    }

    /// <summary>
    /// Reads a store. <paramref name="namespaces"/> are the read-only directories of the store the
    /// JSON is recovered into (etcd's server: /0 and /1). Throws <see cref="FormatException"/> for
    /// JSON that is not a v2 store.
    /// </summary>
    public static V2Store Parse(ReadOnlySpan<byte> json, IEnumerable<string>? namespaces = null, TimeProvider? time = null)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            using var doc = JsonDocument.ParseValue(ref reader);
            var top = doc.RootElement;
            var root = Property(top, "Root") is { ValueKind: JsonValueKind.Object } r
                ? ReadNode(r)
                : throw new FormatException("v2 store JSON has no Root node");
            var history = Property(top, "WatcherHub") is { ValueKind: JsonValueKind.Object } hub
                && Property(hub, "EventHistory") is { ValueKind: JsonValueKind.Object } eh
                ? ReadHistory(eh)
                : new V2EventHistory();
            var stats = new V2StoreStats();
            if (Property(top, "Stats") is { ValueKind: JsonValueKind.Object } s)
            {
                foreach (string name in V2StoreStats.Names)
                {
                    stats[name] = UInt(s, name);
                }
            }
            int version = Property(top, "CurrentVersion") is { ValueKind: JsonValueKind.Number } v ? v.GetInt32() : V2Store.DefaultVersion;
            return new V2Store(root, history, UInt(top, "CurrentIndex"), stats, version, namespaces ?? V2Store.EtcdNamespaces, time);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException)
        {
            throw new FormatException($"not a v2 store: {e.Message}", e);
        }
    }

    private static void WriteNode(GoJsonWriter w, V2Node node)
    {
        w.StartObject()
            .Name("Path").String(node.Path)
            .Name("CreatedIndex").Number(node.CreatedIndex)
            .Name("ModifiedIndex").Number(node.ModifiedIndex)
            .Name("ExpireTime").String(node.ExpireTime)
            .Name("Value").String(node.Value)
            .Name("Children");
        if (node.Children is null)
        {
            w.Null();
        }
        else
        {
            w.StartObject();
            foreach (var child in node.SortedChildren())
            {
                w.Name(child.Name);
                WriteNode(w, child);
            }
            w.EndObject();
        }
        w.EndObject();
    }

    private static void WriteHistory(GoJsonWriter w, V2EventHistory history)
    {
        w.StartObject().Name("Queue").StartObject().Name("Events").StartArray();
        foreach (var e in history.Events)
        {
            if (e is null)
            {
                w.Null();
            }
            else
            {
                WriteEvent(w, e);
            }
        }
        w.EndArray()
            .Name("Size").Number(history.Size)
            .Name("Front").Number(history.Front)
            .Name("Back").Number(history.Back)
            .Name("Capacity").Number(history.Capacity)
            .EndObject()
            .Name("StartIndex").Number(history.StartIndex)
            .Name("LastIndex").Number(history.LastIndex)
            .EndObject();
    }

    private static void WriteEvent(GoJsonWriter w, V2Event e)
    {
        w.StartObject().Name("action").String(e.Action);
        if (e.Node is not null)
        {
            w.Name("node");
            WriteExtern(w, e.Node);
        }
        if (e.PrevNode is not null)
        {
            w.Name("prevNode");
            WriteExtern(w, e.PrevNode);
        }
        if (e.Refresh)
        {
            w.Name("refresh").Bool(true);
        }
        w.EndObject();
    }

    // Go's omitempty: empty strings, false, zero, nil pointers and empty slices are left out.
    private static void WriteExtern(GoJsonWriter w, V2NodeExtern n)
    {
        w.StartObject();
        if (n.Key.Length != 0)
        {
            w.Name("key").String(n.Key);
        }
        if (n.Value is not null)
        {
            w.Name("value").String(n.Value);
        }
        if (n.Dir)
        {
            w.Name("dir").Bool(true);
        }
        if (n.Expiration is not null)
        {
            w.Name("expiration").String(n.Expiration);
        }
        if (n.Ttl != 0)
        {
            w.Name("ttl").Number(n.Ttl);
        }
        if (n.Nodes is { Count: > 0 })
        {
            w.Name("nodes").StartArray();
            foreach (var child in n.Nodes)
            {
                WriteExtern(w, child);
            }
            w.EndArray();
        }
        if (n.ModifiedIndex != 0)
        {
            w.Name("modifiedIndex").Number(n.ModifiedIndex);
        }
        if (n.CreatedIndex != 0)
        {
            w.Name("createdIndex").Number(n.CreatedIndex);
        }
        w.EndObject();
    }

    private static V2Node ReadNode(JsonElement e)
    {
        Dictionary<string, V2Node>? children = null;
        if (Property(e, "Children") is { ValueKind: JsonValueKind.Object } c)
        {
            children = new Dictionary<string, V2Node>(StringComparer.Ordinal);
            foreach (var child in c.EnumerateObject())
            {
                children[child.Name] = ReadNode(child.Value);
            }
        }
        return V2Node.Restore(
            Str(e, "Path") ?? "", UInt(e, "CreatedIndex"), UInt(e, "ModifiedIndex"),
            Str(e, "ExpireTime") ?? GoTime.Zero, Str(e, "Value") ?? "", children);
    }

    private static V2EventHistory ReadHistory(JsonElement e)
    {
        var queue = Property(e, "Queue") ?? throw new FormatException("v2 event history has no Queue");
        int capacity = (int)UInt(queue, "Capacity");
        var listed = Property(queue, "Events") is { ValueKind: JsonValueKind.Array } a
            ? a.EnumerateArray().Select(x => x.ValueKind == JsonValueKind.Object ? ReadEvent(x) : null).ToList()
            : [];
        var events = new V2Event?[Math.Max(Math.Max(capacity, listed.Count), 1)];
        listed.CopyTo(events);
        ulong size = UInt(queue, "Size"), front = UInt(queue, "Front"), back = UInt(queue, "Back");
        if (size > (ulong)events.Length || front >= (ulong)events.Length || back >= (ulong)events.Length)
        {
            throw new FormatException($"v2 event queue of {events.Length} slots has size {size}, front {front}, back {back}");
        }
        return new V2EventHistory(events, (int)size, (int)front, (int)back, UInt(e, "StartIndex"), UInt(e, "LastIndex"));
    }

    private static V2Event ReadEvent(JsonElement e) => new(
        Str(e, "action") ?? "",
        Property(e, "node") is { ValueKind: JsonValueKind.Object } n ? ReadExtern(n) : null,
        Property(e, "prevNode") is { ValueKind: JsonValueKind.Object } p ? ReadExtern(p) : null,
        Property(e, "refresh") is { ValueKind: JsonValueKind.True });

    private static V2NodeExtern ReadExtern(JsonElement e) => new()
    {
        Key = Str(e, "key") ?? "",
        Value = Str(e, "value"),
        Dir = Property(e, "dir") is { ValueKind: JsonValueKind.True },
        Expiration = Str(e, "expiration"),
        Ttl = Property(e, "ttl") is { ValueKind: JsonValueKind.Number } t ? t.GetInt64() : 0,
        Nodes = Property(e, "nodes") is { ValueKind: JsonValueKind.Array } a ? a.EnumerateArray().Select(ReadExtern).ToList() : null,
        ModifiedIndex = UInt(e, "modifiedIndex"),
        CreatedIndex = UInt(e, "createdIndex"),
    };

    private static JsonElement? Property(JsonElement e, string name)
    {
        if (e.ValueKind != JsonValueKind.Object)
        {
            return null;
        }
        JsonElement? found = null;
        foreach (var p in e.EnumerateObject())
        {
            if (p.NameEquals(name))
            {
                return p.Value; // an exact match wins, as in Go
            }
            if (found is null && string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                found = p.Value;
            }
        }
        return found;
    }

    private static string? Str(JsonElement e, string name) =>
        Property(e, name) is { ValueKind: JsonValueKind.String } s ? s.GetString() : null;

    private static ulong UInt(JsonElement e, string name) =>
        Property(e, name) is { ValueKind: JsonValueKind.Number } n ? n.GetUInt64() : 0;
}
