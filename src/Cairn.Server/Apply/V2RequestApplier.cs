using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Cairn.Protocol.Etcdserverpb;
using Cairn.Server.Backend;
using Cairn.Server.Logging;
using Cairn.Server.Membership;
using Cairn.Storage.Snap.V2Store;

namespace Cairn.Server.Apply;

/// <summary>
/// Applies etcd's v2 requests (etcdserverpb.Request) to the v2 store. etcd 3.4 still sends two
/// things this way — a member publishing its name and client URLs, and the cluster version — and
/// an etcd data dir may hold other v2 writes, which are kept so the store (and the raft snapshots
/// made from it) stay the same as etcd's.
/// </summary>
public sealed partial class V2RequestApplier
{
    private readonly V2Store _store;
    private readonly ClusterMembership _membership;
    private readonly ServerLogger _log;

    public V2RequestApplier(V2Store store, ClusterMembership membership, ServerLogger log)
    {
        _store = store;
        _membership = membership;
        _log = log.ForPackage("etcdserver");
    }

    /// <param name="backend">The backend batch when the entry is new to the backend, else null.</param>
    public void Apply(Request request, BackendBatch? backend)
    {
        try
        {
            switch (request.Method)
            {
                case "PUT" when MemberAttributesPath().Match(request.Path) is { Success: true } m:
                    ApplyAttributes(ulong.Parse(m.Groups[1].Value, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture), request.Val, backend);
                    return;
                case "PUT" when request.Path == V2Membership.ClusterVersionKey:
                    _membership.SetVersion(request.Val, _store, backend);
                    return;
                case "PUT":
                    _store.Set(request.Path, request.Dir, request.Val);
                    return;
                case "POST":
                    _store.Create(request.Path, request.Dir, request.Val);
                    return;
                case "DELETE":
                    _store.Delete(request.Path, request.Dir, request.Recursive);
                    return;
                case "QGET" or "SYNC":
                    // Reads and TTL expiry: no change that outlives the v2 API, which cairn does not serve.
                    return;
                default:
                    _log.Warn("ignored v2 request with unknown method", [new LogField("method", request.Method), new LogField("path", request.Path)],
                        capnslog: $"unknown v2 request method {request.Method} for {request.Path}; ignored");
                    return;
            }
        }
        catch (V2StoreException e)
        {
            // etcd returns the store's error to the (absent) v2 client and carries on.
            _log.Warn("v2 request failed", [new LogField("method", request.Method), new LogField("path", request.Path), LogField.Error(e)],
                capnslog: $"v2 request {request.Method} {request.Path} failed: {e.Message}");
        }
    }

    private void ApplyAttributes(ulong id, string json, BackendBatch? backend)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        string name = root.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()! : "";
        IReadOnlyList<string> clientUrls = root.TryGetProperty("clientURLs", out var c) && c.ValueKind == JsonValueKind.Array
            ? [.. c.EnumerateArray().Select(u => u.GetString() ?? "")]
            : [];
        _membership.UpdateAttributes(id, name, clientUrls, _store, backend);
    }

    [GeneratedRegex("^/0/members/([0-9a-fA-F]{1,16})/attributes$")]
    private static partial Regex MemberAttributesPath();
}
