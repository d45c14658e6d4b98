using Cairn.Server.Grpc;

namespace Cairn.Server.Errors;

/// <summary>
/// One error a client can receive: the gRPC status code and the exact message text etcd sends.
/// Clients (clientv3, etcdctl) match on the text, so it must be etcd's to the byte. Instances
/// live in <see cref="EtcdErrors"/>; compare them by reference or by <see cref="Message"/>.
/// </summary>
public sealed class EtcdError
{
    internal EtcdError(GrpcStatusCode code, string message)
    {
        Code = code;
        Message = message;
    }

    public GrpcStatusCode Code { get; }

    public string Message { get; }

    /// <summary>An error etcd does not name, reported as <c>Unknown</c> with the given text.</summary>
    public static EtcdError Unknown(string message) => new(GrpcStatusCode.Unknown, message);

    public EtcdException ToException() => new(this);

    public override string ToString() => $"{Code}: {Message}";
}
