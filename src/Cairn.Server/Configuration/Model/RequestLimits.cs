namespace Cairn.Server.Configuration.Model;

/// <summary>Limits on client requests and the gRPC connection settings.</summary>
/// <param name="MaxTxnOps">--max-txn-ops.</param>
/// <param name="MaxRequestBytes">--max-request-bytes.</param>
/// <param name="MaxConcurrentStreams">--max-concurrent-streams (per client connection).</param>
/// <param name="KeepAliveMinTime">--grpc-keepalive-min-time.</param>
/// <param name="KeepAliveInterval">--grpc-keepalive-interval (zero disables server pings).</param>
/// <param name="KeepAliveTimeout">--grpc-keepalive-timeout (zero disables).</param>
/// <param name="WarningApplyDuration">--experimental-warning-apply-duration.</param>
public sealed record RequestLimits(
    ulong MaxTxnOps,
    ulong MaxRequestBytes,
    uint MaxConcurrentStreams,
    TimeSpan KeepAliveMinTime,
    TimeSpan KeepAliveInterval,
    TimeSpan KeepAliveTimeout,
    TimeSpan WarningApplyDuration);
