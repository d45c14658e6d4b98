namespace Cairn.Server.Grpc.Client;

/// <summary>Per-call settings: deadline, metadata, cancellation.</summary>
public readonly record struct GrpcCallOptions
{
    /// <summary>How long the call may take; sent as <c>grpc-timeout</c> and enforced here too.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>The same as a point in time (UTC); the earlier of the two counts.</summary>
    public DateTime? Deadline { get; init; }

    /// <summary>Custom metadata sent as request headers.</summary>
    public GrpcMetadata? Headers { get; init; }

    /// <summary>Cancels the call: the server sees the stream reset.</summary>
    public CancellationToken CancellationToken { get; init; }

    /// <summary>The time left, or null for no deadline.</summary>
    internal TimeSpan? Remaining()
    {
        TimeSpan? left = Timeout;
        if (Deadline is { } deadline)
        {
            var untilDeadline = deadline.ToUniversalTime() - DateTime.UtcNow;
            left = left is null || untilDeadline < left ? untilDeadline : left;
        }
        return left;
    }
}
