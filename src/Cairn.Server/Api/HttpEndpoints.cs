using Cairn.Protocol.Etcdserverpb;
using Cairn.Server.Errors;
using Cairn.Server.Hosting;
using Cairn.Server.Logging;
using Cairn.Server.Membership;
using Cairn.Storage;
using Microsoft.AspNetCore.Http;

namespace Cairn.Server.Api;

/// <summary>
/// etcd's plain HTTP endpoints: /health (can this member commit?) and /version on the client
/// URLs; /version and /members on the peer URLs, where members and tools look for them.
/// </summary>
public sealed class HttpEndpoints(MemberServer server, ServerLogger log)
{
    private readonly ServerLogger _log = log.ForPackage("etcdserver/api/etcdhttp");

    private static readonly TimeSpan HealthTimeout = TimeSpan.FromSeconds(1);

    /// <summary>The client port's routes; cairn refuses a --cors narrower than etcd's default '*'.</summary>
    public HttpRouteTable ClientRoutes() => new HttpRouteTable()
        .AllowEveryOrigin()
        .Map("/health", HealthAsync, HttpMethods.Get)
        .Map("/version", VersionAsync, HttpMethods.Get);

    public HttpRouteTable PeerRoutes() => new HttpRouteTable()
        .Map("/version", VersionAsync, HttpMethods.Get)
        .Map("/members", MembersAsync, HttpMethods.Get);

    /// <summary>
    /// etcd 3.4's health check: false when an alarm is raised, when there is no leader or a v2 no-op cannot be committed
    /// within a second. The body is etcd's <c>{"health":"true"}</c>; when false, a reason follows
    /// (as etcd 3.5 gives), with status 503.
    /// </summary>
    private async Task HealthAsync(HttpContext context)
    {
        string? reason = null;
        if (server.Alarms.Get(Protocol.Etcdserverpb.AlarmType.None) is [var alarm, ..])
        {
            _log.Warn("serving /health false due to an alarm", [new LogField("alarm", Alarms.AlarmStore.Describe(alarm))],
                capnslog: $"/health error due to {Alarms.AlarmStore.Describe(alarm)}");
            reason = "ALARM " + Alarms.AlarmStore.Name(alarm.Alarm);
        }
        else if (server.Leader == 0)
        {
            reason = "RAFT NO LEADER";
        }
        else
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
            timeout.CancelAfter(HealthTimeout);
            try
            {
                var result = await server.ProposeV2Async(new Request { Method = "QGET" }, timeout.Token).ConfigureAwait(false);
                reason = result.Error is { } error ? "QGET ERROR: " + error.Message : null;
            }
            catch (EtcdException e)
            {
                reason = "QGET ERROR: " + e.Error.Message;
            }
        }
        if (reason is null)
        {
            context.Response.ContentType = "text/plain; charset=utf-8";
            await HttpRouteTable.WriteBodyAsync(context.Response, "{\"health\":\"true\"}", context.RequestAborted).ConfigureAwait(false);
            return;
        }
        // Go's http.Error: text/plain, nosniff, the body and a newline.
        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        context.Response.ContentType = "text/plain; charset=utf-8";
        context.Response.Headers["X-Content-Type-Options"] = "nosniff";
        var body = new GoJsonWriter().StartObject().Name("health").String("false").Name("reason").String(reason).EndObject();
        await HttpRouteTable.WriteBodyAsync(context.Response, body + "\n", context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>{"etcdserver":"3.4.23","etcdcluster":"3.4.0"}; "not_decided" before a cluster version is set.</summary>
    private async Task VersionAsync(HttpContext context)
    {
        context.Response.ContentType = "application/json";
        var body = new GoJsonWriter().StartObject()
            .Name("etcdserver").String(ClusterVersions.Server)
            .Name("etcdcluster").String(server.Membership.Version ?? "not_decided")
            .EndObject();
        await HttpRouteTable.WriteBodyAsync(context.Response, body.ToString(), context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>The member list as etcd's peer handler serves it (Go's json.Marshal of []*membership.Member).</summary>
    private async Task MembersAsync(HttpContext context)
    {
        context.Response.ContentType = "application/json";
        context.Response.Headers["X-Etcd-Cluster-ID"] = MemberIds.Format(server.ClusterId);
        var json = "[" + string.Join(",", server.Membership.Members.Select(m => System.Text.Encoding.UTF8.GetString(m.ToRecord().ToJson()))) + "]\n";
        await HttpRouteTable.WriteBodyAsync(context.Response, json, context.RequestAborted).ConfigureAwait(false);
    }
}
