using Cairn.Protocol.Raftpb;
using Google.Protobuf;

namespace Cairn.Raft.ReadOnly;

/// <summary>A ReadIndex request waiting for a quorum to confirm the leader's leadership.</summary>
internal sealed class PendingRead
{
    public PendingRead(Message request, ulong index)
    {
        Request = request;
        Index = index;
    }

    /// <summary>The request as received (From is the asking member, or 0/self when local).</summary>
    public Message Request { get; }

    /// <summary>The commit index when the request arrived: the read index once confirmed.</summary>
    public ulong Index { get; }

    public HashSet<ulong> Acks { get; } = new();

    public ByteString Context => Request.Entries[0].Data;
}

/// <summary>
/// Safe-mode ReadIndex requests in arrival order, keyed by their context (etcd's readOnly). A
/// heartbeat acknowledgement carrying a context confirms that request and every earlier one.
/// </summary>
internal sealed class ReadIndexQueue
{
    private readonly Dictionary<ByteString, PendingRead> _pending = new();
    private readonly List<ByteString> _queue = new();

    public ReadIndexQueue(ReadOnlyOption option)
    {
        Option = option;
    }

    public ReadOnlyOption Option { get; }

    public int Count => _queue.Count;

    /// <summary>Queues a request read at index; a second request with the same context is ignored.</summary>
    public void Add(ulong index, Message request)
    {
        var ctx = request.Entries[0].Data;
        if (_pending.ContainsKey(ctx))
        {
            return;
        }
        _pending[ctx] = new PendingRead(request, index);
        _queue.Add(ctx);
    }

    /// <summary>Records id's acknowledgement of the request with this context; null if unknown.</summary>
    public HashSet<ulong>? RecvAck(ulong id, ByteString context)
    {
        if (!_pending.TryGetValue(context, out var read))
        {
            return null;
        }
        read.Acks.Add(id);
        return read.Acks;
    }

    /// <summary>
    /// Removes and returns the requests up to and including the one with this context, which a
    /// quorum has just confirmed; empty when the context is not queued.
    /// </summary>
    public List<PendingRead> Advance(ByteString context)
    {
        var found = _queue.IndexOf(context);
        var confirmed = new List<PendingRead>(found + 1);
        if (found < 0)
        {
            return confirmed;
        }
        for (var i = 0; i <= found; i++)
        {
            confirmed.Add(_pending[_queue[i]]);
            _pending.Remove(_queue[i]);
        }
        _queue.RemoveRange(0, found + 1);
        return confirmed;
    }

    /// <summary>The context of the latest request, sent with heartbeats so they confirm it.</summary>
    public ByteString? LastPendingContext => _queue.Count == 0 ? null : _queue[^1];
}
