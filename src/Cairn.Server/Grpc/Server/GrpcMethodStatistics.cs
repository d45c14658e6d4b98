namespace Cairn.Server.Grpc.Server;

/// <summary>
/// Counters of one method, the ones etcd exports from go-grpc-prometheus
/// (grpc_server_started_total, grpc_server_handled_total by code, messages received and sent).
/// </summary>
public sealed class GrpcMethodStatistics
{
    private readonly long[] _handled = new long[(int)GrpcStatusCode.Unauthenticated + 1];
    private long _started;
    private long _messagesReceived;
    private long _messagesSent;

    public long Started => Volatile.Read(ref _started);

    public long MessagesReceived => Volatile.Read(ref _messagesReceived);

    public long MessagesSent => Volatile.Read(ref _messagesSent);

    public long Handled(GrpcStatusCode code) =>
        (uint)code < (uint)_handled.Length ? Volatile.Read(ref _handled[(int)code]) : 0;

    internal void OnStarted() => Interlocked.Increment(ref _started);

    internal void OnMessageReceived() => Interlocked.Increment(ref _messagesReceived);

    internal void OnMessageSent() => Interlocked.Increment(ref _messagesSent);

    internal void OnHandled(GrpcStatusCode code)
    {
        if ((uint)code < (uint)_handled.Length)
        {
            Interlocked.Increment(ref _handled[(int)code]);
        }
    }
}
