using Cairn.Protocol.Etcdserverpb;
using Cairn.Server.Errors;
using Cairn.Server.Logging;
using Cairn.Storage.Snap.V2Store;

namespace Cairn.Server.Membership;

/// <summary>
/// The leader's duty of deciding the cluster version (etcd's monitorVersions): when none is set,
/// or every member runs something newer, propose it through raft. Checked when this member
/// becomes leader, when its first entry of the term applies, and every few seconds.
/// </summary>
internal sealed class ClusterVersionDecider
{
    /// <summary>etcd's monitorVersionInterval.</summary>
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(4);

    private readonly MemberServer _server;
    private readonly ServerLogger _log;
    private readonly SemaphoreSlim _trigger = new(0, 1);

    public ClusterVersionDecider(MemberServer server, ServerLogger log)
    {
        _server = server;
        _log = log.ForPackage("etcdserver");
    }

    public void Trigger()
    {
        try
        {
            _trigger.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already triggered.
        }
    }

    public async Task RunAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await _trigger.WaitAsync(Interval, stopping).ConfigureAwait(false);
                await DecideAsync(stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (EtcdException e)
            {
                _log.Warn("failed to update cluster version", [LogField.Error(e.Message)], capnslog: $"failed to update cluster version: {e.Message}");
            }
        }
    }

    private async Task DecideAsync(CancellationToken stopping)
    {
        if (!_server.Raft.IsLeader || !_server.Published.IsCompletedSuccessfully)
        {
            return;
        }
        // Every member of a cluster this server can form runs this server's version.
        string target = ClusterVersions.Cluster;
        string? current = _server.Membership.Version;
        if (current is not null && !IsOlder(current, target))
        {
            return;
        }
        var shown = ClusterVersions.MajorMinor(target);
        if (current is null)
        {
            _log.Info("setting up initial cluster version", [new LogField("cluster-version", shown)],
                capnslog: $"setting up the initial cluster version to {shown}");
        }
        else
        {
            _log.Info("updating cluster version", [new LogField("from", ClusterVersions.MajorMinor(current)), new LogField("to", shown)],
                capnslog: $"updating the cluster version from {ClusterVersions.MajorMinor(current)} to {shown}");
        }
        var result = await _server.ProposeV2Async(new Request { Method = "PUT", Path = V2Membership.ClusterVersionKey, Val = target }, stopping).ConfigureAwait(false);
        if (result.Error is null)
        {
            _log.ZapInfo("cluster version is updated", [new LogField("cluster-version", shown)]);
        }
    }

    private static bool IsOlder(string version, string than) =>
        Version.TryParse(version, out var a) && Version.TryParse(than, out var b) && a < b;
}
