namespace Cairn.Server.Grpc;

/// <summary>The messages one side of a streaming call sends.</summary>
public interface IGrpcStreamWriter<in T>
{
    /// <summary>
    /// Sends one message. Completes when the transport has taken it, so a reader that does not
    /// keep up slows the writer down instead of making it buffer. One write at a time.
    /// </summary>
    ValueTask WriteAsync(T message, CancellationToken cancellationToken = default);
}
