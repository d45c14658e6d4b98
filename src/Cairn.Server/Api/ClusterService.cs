using Cairn.Protocol.Etcdserverpb;
using Cairn.Server.Grpc.Server;

namespace Cairn.Server.Api;

/// <summary>etcd's Cluster service: the member list as the apply loop has applied it.</summary>
public sealed class ClusterService(MemberServer server)
{
    public void Register(GrpcServiceRegistry registry) => registry
        .AddUnary(EtcdMethods.Cluster.MemberList, EtcdHandlers.Unary<MemberListRequest, MemberListResponse>(MemberListAsync));

    private ValueTask<MemberListResponse> MemberListAsync(MemberListRequest request, GrpcCallContext context)
    {
        // etcd's cluster server header: cluster, member and term, no revision.
        var response = new MemberListResponse
        {
            Header = new ResponseHeader { ClusterId = server.ClusterId, MemberId = server.Id, RaftTerm = server.Raft.Term },
        };
        foreach (var m in server.Membership.Members)
        {
            var member = new Protocol.Etcdserverpb.Member { ID = m.Id, Name = m.Name, IsLearner = m.IsLearner };
            member.PeerURLs.AddRange(m.PeerUrls);
            member.ClientURLs.AddRange(m.ClientUrls);
            response.Members.Add(member);
        }
        return ValueTask.FromResult(response);
    }
}
