namespace Cairn.Server.Grpc;

/// <summary>The messages one side of a streaming call receives, one at a time.</summary>
public interface IGrpcStreamReader<out T>
{
    /// <summary>The message the last successful <see cref="MoveNextAsync"/> read.</summary>
    T Current { get; }

    /// <summary>
    /// Waits for the next message; false when the sender has ended its side of the stream.
    /// Throws <see cref="GrpcException"/> if the stream fails. One read at a time.
    /// </summary>
    ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken = default);
}
