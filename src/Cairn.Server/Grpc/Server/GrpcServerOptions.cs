using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cairn.Server.Grpc.Server;

/// <summary>Limits and logging of the server side of the gRPC layer.</summary>
public sealed record GrpcServerOptions
{
    /// <summary>
    /// The largest request message accepted, in bytes (grpc-go's MaxRecvMsgSize; etcd sets it
    /// to --max-request-bytes plus 512 KiB). Larger ones fail with RESOURCE_EXHAUSTED before
    /// anything of them is buffered.
    /// </summary>
    public int MaxReceiveMessageSize { get; init; } = GrpcProtocol.DefaultMaxReceiveMessageSize;

    /// <summary>The largest response message sent, in bytes (etcd: no limit).</summary>
    public int MaxSendMessageSize { get; init; } = int.MaxValue;

    /// <summary>Where handler failures that are not <see cref="GrpcException"/>s are logged.</summary>
    public ILogger Logger { get; init; } = NullLogger.Instance;
}
