namespace Cairn.Server.Consensus;

/// <summary>
/// The raft loop could not persist a Ready (etcd's raftNode exits fatally there): what it was saving, in etcd's
/// zap and capnslog wording, so that the line the server stops with reads as etcd's.
/// </summary>
public sealed class RaftDiskException(string zapMessage, string capnslogPrefix, Exception inner) : IOException(inner.Message, inner)
{
    /// <summary>etcd's zap message, e.g. "failed to save Raft hard state and entries".</summary>
    public string ZapMessage { get; } = zapMessage;

    /// <summary>etcd's capnslog line without the error, e.g. "failed to save state and entries error: ".</summary>
    public string CapnslogText { get; } = capnslogPrefix + inner.Message;

    public static RaftDiskException SavingEntries(Exception inner) =>
        new("failed to save Raft hard state and entries", "failed to save state and entries error: ", inner);

    public static RaftDiskException SavingSnapshot(Exception inner) =>
        new("failed to save Raft snapshot", "failed to save Raft snapshot ", inner);
}
