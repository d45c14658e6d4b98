using Cairn.Protocol.Raftpb;
using Cairn.Raft;
using Cairn.Raft.Storage;
using Google.Protobuf;

namespace Cairn.Bench.Raft;

/// <summary>
/// Three Raft members wired together in process: messages are handed straight to the recipient's
/// Step, storage is MemoryRaftStorage, and committed entries are counted, not applied. What is
/// measured is the consensus core alone.
/// </summary>
internal sealed class InMemoryRaftCluster
{
    private readonly RaftNode[] _nodes;
    private readonly MemoryRaftStorage[] _storages;
    private readonly ulong[] _applied;
    private readonly List<Message> _inFlight = new();
    private readonly List<Message> _delivering = new();
    private readonly ulong _compactEvery;

    public InMemoryRaftCluster(int size, ulong compactEvery)
    {
        _compactEvery = compactEvery;
        var peers = Enumerable.Range(1, size).Select(i => new RaftPeer((ulong)i)).ToArray();
        _storages = new MemoryRaftStorage[size];
        _nodes = new RaftNode[size];
        _applied = new ulong[size];
        for (var i = 0; i < size; i++)
        {
            _storages[i] = new MemoryRaftStorage();
            // etcd's server settings: 1 MiB appends, 512 appends in flight, CheckQuorum.
            var config = new RaftConfig
            {
                Id = (ulong)i + 1,
                ElectionTick = 10,
                HeartbeatTick = 1,
                Storage = _storages[i],
                MaxSizePerMsg = 1024 * 1024,
                MaxInflightMsgs = 512,
                CheckQuorum = true,
                RandomSeed = 1,
            };
            _nodes[i] = RaftNode.Start(config, peers);
        }
        Pump();
        _nodes[0].Campaign();
        Pump();
        if (_nodes[0].Status().Role != RaftRole.Leader)
        {
            throw new InvalidOperationException("member 1 did not become leader");
        }
    }

    public RaftNode Leader => _nodes[0];

    /// <summary>Entries the leader has applied (handed out as committed).</summary>
    public ulong LeaderApplied => _applied[0];

    /// <summary>Handles Readies and delivers messages until the cluster is quiet.</summary>
    public void Pump()
    {
        while (true)
        {
            var worked = false;
            for (var i = 0; i < _nodes.Length; i++)
            {
                worked |= HandleReadies(i);
            }
            if (_inFlight.Count == 0)
            {
                if (!worked)
                {
                    return;
                }
                continue;
            }
            _delivering.AddRange(_inFlight);
            _inFlight.Clear();
            foreach (var m in _delivering)
            {
                _nodes[(int)m.To - 1].Step(m);
            }
            _delivering.Clear();
        }
    }

    private bool HandleReadies(int i)
    {
        var node = _nodes[i];
        var storage = _storages[i];
        var any = false;
        while (node.HasReady())
        {
            any = true;
            var rd = node.Ready();
            storage.Persist(rd);
            var committed = rd.CommittedEntries;
            for (var k = 0; k < committed.Count; k++)
            {
                if (committed[k].Type == EntryType.EntryConfChange)
                {
                    node.ApplyConfChange(ConfChange.Parser.ParseFrom(committed[k].Data));
                }
            }
            if (committed.Count > 0)
            {
                _applied[i] = committed[^1].Index;
            }
            for (var k = 0; k < rd.Messages.Count; k++)
            {
                _inFlight.Add(rd.Messages[k]);
            }
            node.Advance(rd);
            MaybeCompact(i);
        }
        return any;
    }

    /// <summary>Keeps memory bounded as a server does: snapshot and compact every so many entries.</summary>
    private void MaybeCompact(int i)
    {
        var storage = _storages[i];
        var applied = _applied[i];
        if (applied < storage.FirstIndex() + _compactEvery)
        {
            return;
        }
        var conf = new ConfState { AutoLeave = false };
        conf.Voters.AddRange(Enumerable.Range(1, _nodes.Length).Select(v => (ulong)v));
        storage.CreateSnapshot(applied, conf, ByteString.Empty);
        // Keep some entries for followers that lag a little, like etcd's SnapshotCatchUpEntries.
        storage.Compact(applied - _compactEvery / 2);
    }
}
