using Cairn.Protocol.Raftpb;
using Cairn.Raft.Core;
using Cairn.Raft.Storage;

namespace Cairn.Raft.Tests.Harness;

/// <summary>
/// A network of members with instant, in-order delivery (etcd's test network): send steps a
/// message into its recipient and keeps delivering whatever that produces until all is quiet.
/// Links can be cut, members isolated, message types ignored.
/// </summary>
internal sealed class TestNetwork
{
    private readonly Dictionary<(ulong From, ulong To), double> _drop = new();
    private readonly HashSet<MessageType> _ignore = new();
    private readonly Random _random = new(7);

    private TestNetwork(Dictionary<ulong, RaftStateMachine?> peers, Dictionary<ulong, MemoryRaftStorage> storage)
    {
        Peers = peers;
        Storage = storage;
    }

    /// <summary>The members by id; null stands for a black hole that swallows everything.</summary>
    public Dictionary<ulong, RaftStateMachine?> Peers { get; }

    public Dictionary<ulong, MemoryRaftStorage> Storage { get; }

    /// <summary>Inspects every message; returning false drops it.</summary>
    public Func<Message, bool>? MessageHook { get; set; }

    public RaftStateMachine this[ulong id] => Peers[id]!;

    /// <summary>
    /// A network of n members: null entries become fresh members with ids 1..n (election 10,
    /// heartbeat 1); a <see cref="BlackHole"/> entry swallows messages; a member is used as is.
    /// </summary>
    public static TestNetwork Of(params object?[] peers) => With(null, peers);

    public static TestNetwork With(Func<RaftConfig, RaftConfig>? configure, params object?[] peers)
    {
        var ids = Kit.Ids(peers.Length);
        var members = new Dictionary<ulong, RaftStateMachine?>();
        var storage = new Dictionary<ulong, MemoryRaftStorage>();
        for (var i = 0; i < peers.Length; i++)
        {
            var id = ids[i];
            switch (peers[i])
            {
                case null:
                    storage[id] = Kit.NewStorage(ids);
                    members[id] = Kit.NewRaft(id, storage[id], configure: configure);
                    break;
                case RaftStateMachine r:
                    Assert.Equal(id, r.Id);
                    members[id] = r;
                    break;
                case BlackHole:
                    members[id] = null;
                    break;
                default:
                    throw new ArgumentException($"unexpected peer {peers[i]}");
            }
        }
        return new TestNetwork(members, storage);
    }

    public void Send(params Message[] messages)
    {
        var queue = new Queue<Message>(messages);
        while (queue.Count > 0)
        {
            var m = queue.Dequeue();
            var p = Peers[m.To];
            if (p is null)
            {
                continue;
            }
            p.Step(m);
            foreach (var next in Filter(Kit.Read(p)))
            {
                queue.Enqueue(next);
            }
        }
    }

    public void Drop(ulong from, ulong to, double probability) => _drop[(from, to)] = probability;

    public void Cut(ulong one, ulong other)
    {
        Drop(one, other, 2.0);
        Drop(other, one, 2.0);
    }

    public void Isolate(ulong id)
    {
        foreach (var other in Peers.Keys)
        {
            if (other != id)
            {
                Drop(id, other, 1.0);
                Drop(other, id, 1.0);
            }
        }
    }

    public void Ignore(MessageType type) => _ignore.Add(type);

    public void Recover()
    {
        _drop.Clear();
        _ignore.Clear();
    }

    private IEnumerable<Message> Filter(List<Message> messages)
    {
        foreach (var m in messages)
        {
            if (_ignore.Contains(m.Type))
            {
                continue;
            }
            Assert.NotEqual(MessageType.MsgHup, m.Type);
            if (_drop.TryGetValue((m.From, m.To), out var p) && _random.NextDouble() < p)
            {
                continue;
            }
            if (MessageHook is not null && !MessageHook(m))
            {
                continue;
            }
            yield return m;
        }
    }
}

/// <summary>A member that swallows every message (etcd's nopStepper).</summary>
internal sealed class BlackHole
{
    public static readonly BlackHole Instance = new();
}
