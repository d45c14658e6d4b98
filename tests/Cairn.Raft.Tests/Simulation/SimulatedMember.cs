using System.Buffers.Binary;
using Cairn.Protocol.Raftpb;
using Cairn.Raft.Storage;
using Google.Protobuf;

namespace Cairn.Raft.Tests.Simulation;

/// <summary>
/// One member of the simulated cluster: its Raft node (absent while crashed), its persisted
/// storage (kept across crashes), and a state machine reduced to a running digest of what it
/// applied, which is durable like etcd's backend with its consistent index.
/// </summary>
internal sealed class SimulatedMember
{
    private readonly RaftConfig _config;
    private readonly SimulationOptions _options;
    private ulong _recordedCommit;

    // The last index this incarnation has applied or replayed: snapshots wait until a restarted
    // member has replayed up to what its state machine holds, so that Conf matches Applied.
    private ulong _replayed;

    public SimulatedMember(ulong id, RaftConfig config, SimulationOptions options)
    {
        Id = id;
        _config = config;
        _options = options;
    }

    public ulong Id { get; }

    public MemoryRaftStorage Storage { get; } = new();

    public RaftNode? Node { get; private set; }

    public bool Running => Node is not null;

    /// <summary>Removed from the cluster and stopped for good.</summary>
    public bool Removed { get; private set; }

    public ulong Applied { get; private set; }

    public int SnapshotsInstalled { get; private set; }

    public ulong State { get; private set; }

    /// <summary>Members whose removal this member has applied: their messages are refused (as etcd's transport does).</summary>
    public HashSet<ulong> RemovedPeers { get; } = new();

    /// <summary>The configuration as of the applied index, for the snapshots this member takes.</summary>
    public ConfState Conf { get; private set; } = new();

    public Action<SimulatedMember, ulong>? OnRemovalApplied { get; set; }

    public Action<ulong>? OnMemberAdded { get; set; }

    public void Bootstrap(IReadOnlyList<ulong> peers)
    {
        Node = RaftNode.Start(_config with { Storage = Storage }, peers.Select(p => new RaftPeer(p)).ToArray());
    }

    /// <summary>A member added to a running cluster starts empty and learns everything from the leader.</summary>
    public void Join()
    {
        _replayed = 0;
        Node = new RaftNode(_config with { Storage = Storage });
    }

    /// <summary>Loses everything volatile; storage and the applied state survive.</summary>
    public void Crash() => Node = null;

    /// <summary>
    /// Restarts from storage. Like etcd's server, it does not tell Raft what it applied: committed
    /// entries after the snapshot come again, conf changes among them are re-applied to Raft, the
    /// rest skipped up to the applied index.
    /// </summary>
    public void Restart()
    {
        Conf = Storage.InitialState().ConfState.Clone();
        _replayed = Storage.Snapshot().Metadata.Index;
        Node = new RaftNode(_config with { Storage = Storage });
    }

    public void Stop()
    {
        Removed = true;
        Node = null;
    }

    /// <summary>Handles every pending Ready: persist, check, send, apply, advance.</summary>
    public void HandleReadies(SafetyChecker checker, Func<Message, bool> send, Action<ReadState> onRead)
    {
        while (Node is { } node && node.HasReady())
        {
            var rd = node.Ready();
            NoteLeadership(checker);

            Storage.Persist(rd);
            var log = node.StateMachine.Log;
            foreach (var e in rd.Entries)
            {
                checker.Persisted(Id, e, e.Index > 1 ? log.TermOrZero(e.Index - 1) : 0);
            }
            if (rd.HardState is not null && rd.HardState.Commit > _recordedCommit)
            {
                for (var i = Math.Max(_recordedCommit + 1, log.FirstIndex()); i <= rd.HardState.Commit; i++)
                {
                    checker.Committed(Id, rd.HardState.Term, i, log.TermOrZero(i));
                }
                _recordedCommit = rd.HardState.Commit;
            }

            foreach (var m in rd.Messages)
            {
                var delivered = send(m);
                if (m.Type == MessageType.MsgSnap)
                {
                    node.ReportSnapshot(m.To, delivered ? SnapshotStatus.Finish : SnapshotStatus.Failure);
                }
            }

            if (Node is null)
            {
                // Told by a peer that it was removed: it stopped.
                return;
            }
            if (rd.Snapshot is not null)
            {
                InstallSnapshot(rd.Snapshot, checker);
            }
            foreach (var e in rd.CommittedEntries)
            {
                Apply(e, checker);
                if (Node is null)
                {
                    // Applied its own removal and stopped.
                    return;
                }
            }
            foreach (var rs in rd.ReadStates)
            {
                onRead(rs);
            }
            node.Advance(rd);
            MaybeSnapshot();
        }
    }

    /// <summary>
    /// Records leadership for election safety, and checks leader completeness when the leader is
    /// new or when asked (once per tick: the check walks the log).
    /// </summary>
    public void NoteLeadership(SafetyChecker checker, bool checkCompleteness = false)
    {
        if (Node?.StateMachine is { State: RaftRole.Leader } r && (checker.Leader(r.Term, Id) || checkCompleteness))
        {
            checker.LeaderHolds(Id, r.Term, r.Log.FirstIndex(), r.Log.LastIndex(), r.Log.TermOrZero);
        }
    }

    private void Apply(Entry e, SafetyChecker checker)
    {
        if (e.Type == EntryType.EntryConfChange)
        {
            var cc = ConfChange.Parser.ParseFrom(e.Data);
            Conf = Node!.ApplyConfChange(cc);
            if (cc.Type == ConfChangeType.ConfChangeRemoveNode)
            {
                RemovedPeers.Add(cc.NodeId);
                OnRemovalApplied?.Invoke(this, cc.NodeId);
            }
            else
            {
                OnMemberAdded?.Invoke(cc.NodeId);
            }
        }
        _replayed = e.Index;
        if (e.Index <= Applied)
        {
            // Replayed after a restart: already in the state machine; it must be the same entry.
            return;
        }
        State = SafetyChecker.Combine(State, e);
        Applied = e.Index;
        checker.Applied(Id, e.Index, State, e);
    }

    private void InstallSnapshot(Snapshot snap, SafetyChecker checker)
    {
        var data = snap.Data.Span;
        var index = BinaryPrimitives.ReadUInt64LittleEndian(data);
        var state = BinaryPrimitives.ReadUInt64LittleEndian(data[8..]);
        if (index != snap.Metadata.Index)
        {
            throw new SafetyViolation($"snapshot at {snap.Metadata.Index} carries the state of {index}");
        }
        checker.Applied(Id, index, state, null);
        SnapshotsInstalled++;
        if (index > Applied)
        {
            Applied = index;
            State = state;
        }
        Conf = snap.Metadata.ConfState.Clone();
        _replayed = index;
        foreach (var id in Conf.Voters.Concat(Conf.Learners))
        {
            RemovedPeers.Remove(id);
        }
    }

    /// <summary>
    /// The snapshot message as etcd's server sends it: carrying the applied state and the
    /// configuration at the applied index (createMergedSnapshotMessage), when this incarnation has
    /// caught up to what it applied.
    /// </summary>
    public Message WithCurrentSnapshot(Message m)
    {
        var log = Node!.StateMachine.Log;
        if (_replayed < Applied || Applied < log.FirstIndex() - 1 || !log.TryTerm(Applied, out var term) || term == 0)
        {
            return m;
        }
        var merged = m.Clone();
        merged.Snapshot = new Snapshot { Data = StateData(), Metadata = SnapshotMetadata.Of(Conf.Clone(), Applied, term) };
        return merged;
    }

    private ByteString StateData()
    {
        var data = new byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(data, Applied);
        BinaryPrimitives.WriteUInt64LittleEndian(data.AsSpan(8), State);
        return UnsafeByteOperations.UnsafeWrap(data);
    }

    /// <summary>Snapshots the state machine every so often and compacts the log behind it.</summary>
    private void MaybeSnapshot()
    {
        var snapIndex = Storage.Snapshot().Metadata.Index;
        if (Applied < snapIndex + (ulong)_options.SnapshotInterval || Applied > Storage.LastIndex() || _replayed < Applied)
        {
            return;
        }
        Storage.CreateSnapshot(Applied, Conf, StateData());
        var compactTo = Applied > (ulong)_options.CompactionMargin ? Applied - (ulong)_options.CompactionMargin : 0;
        if (compactTo > Storage.FirstIndex())
        {
            Storage.Compact(compactTo);
        }
    }
}
