namespace Cairn.Server.Grpc;

/// <summary>
/// A response stream that can take several messages and send them with one flush, for a sender
/// that has a backlog (a watch stream catching up): one transport write instead of one per message.
/// </summary>
public interface IGrpcBufferedStreamWriter<in T> : IGrpcStreamWriter<T>
{
    /// <summary>Appends a message without sending it; <see cref="FlushAsync"/> or the next <c>WriteAsync</c> sends it.</summary>
    void Buffer(T message);

    /// <summary>Sends what was buffered; completes when the transport has taken it. One write or flush at a time.</summary>
    ValueTask FlushAsync(CancellationToken cancellationToken = default);
}
