using Cairn.Server.Errors;
using Google.Protobuf;

namespace Cairn.Server.Api.Validation;

/// <summary>
/// --max-request-bytes: etcd refuses to propose an <c>InternalRaftRequest</c> whose encoding is
/// larger, before it reaches Raft.
/// </summary>
public static class RequestSizeCheck
{
    /// <summary>etcd's default for --max-request-bytes: 1.5 MiB.</summary>
    public const long DefaultMaxRequestBytes = 1536 * 1024;

    public static EtcdError? Check(IMessage request, long maxRequestBytes) =>
        request.CalculateSize() > maxRequestBytes ? EtcdErrors.RequestTooLarge : null;
}
