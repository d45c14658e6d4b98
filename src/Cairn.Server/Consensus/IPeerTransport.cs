using Cairn.Protocol.Raftpb;

namespace Cairn.Server.Consensus;

/// <summary>Carries raft messages to the other members.</summary>
public interface IPeerTransport
{
    /// <summary>Queues messages for sending; never blocks the raft loop. Raft tolerates lost messages.</summary>
    void Send(IReadOnlyList<Message> messages);
}

/// <summary>
/// The transport of a member with no peers to reach (a one-member cluster): raft addresses no one
/// else, and anything addressed elsewhere is counted and dropped, as a partitioned link would.
/// </summary>
public sealed class NoPeerTransport : IPeerTransport
{
    private long _dropped;

    public long Dropped => Interlocked.Read(ref _dropped);

    public void Send(IReadOnlyList<Message> messages) => Interlocked.Add(ref _dropped, messages.Count);
}
