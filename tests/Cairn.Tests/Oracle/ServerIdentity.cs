using System.Text.Json;
using Cairn.Tests.Processes;

namespace Cairn.Tests.Oracle;

/// <summary>What legitimately differs between two runs of the same scenario: IDs derived from the ports, and the ports.</summary>
public sealed record ServerIdentity(ulong MemberId, ulong ClusterId, int ClientPort, int PeerPort)
{
    /// <summary>For output that names no server (a snapshot file's status).</summary>
    public static readonly ServerIdentity None = new(0, 0, 0, 0);

    /// <summary>Asks the server (etcdctl endpoint status -w json) for the IDs it reports in every response header.</summary>
    public static async Task<ServerIdentity> OfAsync(TestMember member)
    {
        var json = await member.Etcdctl.OutputAsync("endpoint", "status", "-w", "json");
        var header = JsonDocument.Parse(json).RootElement[0].GetProperty("Status").GetProperty("header");
        return new ServerIdentity(header.GetProperty("member_id").GetUInt64(), header.GetProperty("cluster_id").GetUInt64(), member.ClientPort, member.PeerPort);
    }
}
