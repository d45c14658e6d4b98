using Cairn.Protocol.Raftpb;
using Cairn.Raft.Core;
using Cairn.Raft.Membership;
using Google.Protobuf;

namespace Cairn.Raft;

/// <summary>
/// One Raft member, driven by its owner (etcd's RawNode): feed it ticks, peer messages and
/// requests; take a <see cref="Ready"/> when <see cref="HasReady"/>, handle it as Ready says, then
/// <see cref="Advance"/>. Not thread-safe: one thread drives it. No clock, no I/O, no randomness
/// beyond <see cref="RaftConfig.RandomSeed"/>: the same inputs give the same outputs.
/// </summary>
public sealed class RaftNode
{
    private readonly RaftStateMachine _raft;
    private SoftState _prevSoftState;
    private (ulong Term, ulong Vote, ulong Commit) _prevHardState;

    /// <summary>
    /// A member over the given storage: a restart when the storage holds state, otherwise a member
    /// waiting to be bootstrapped (<see cref="Bootstrap"/>) or to be contacted by a leader (a member
    /// joining an existing cluster). Throws <see cref="RaftConfigException"/> for a bad config, and
    /// <see cref="RaftStateException"/> or <see cref="RaftConfChangeException"/> when the storage
    /// contradicts itself (a commit index beyond the log, an unsupported configuration).
    /// </summary>
    public RaftNode(RaftConfig config)
    {
        _raft = new RaftStateMachine(config);
        _prevSoftState = _raft.SoftState;
        _prevHardState = HardStateOf(_raft);
    }

    /// <summary>A new member of a new cluster (etcd's StartNode): created and bootstrapped.</summary>
    public static RaftNode Start(RaftConfig config, IReadOnlyList<RaftPeer> peers)
    {
        var node = new RaftNode(config);
        node.Bootstrap(peers);
        return node;
    }

    public ulong Id => _raft.Id;

    internal RaftStateMachine StateMachine => _raft;

    /// <summary>
    /// Starts a new cluster from its member list (etcd's RawNode.Bootstrap): the log gets one
    /// ConfChangeAddNode entry per peer at indexes 1..n, all committed, and the configuration
    /// takes them in at once. The first Ready hands the entries out to persist and apply.
    /// </summary>
    public void Bootstrap(IReadOnlyList<RaftPeer> peers)
    {
        if (peers.Count == 0)
        {
            throw new RaftStateException("must provide at least one peer to Bootstrap");
        }
        if (_raft.Log.LastIndex() != 0)
        {
            throw new RaftStateException("can't bootstrap a nonempty Storage");
        }
        // The bootstrap entries must reach storage: start from an empty hard state so that the
        // first Ready carries one.
        _prevHardState = (0, 0, 0);
        _raft.BecomeFollower(1, 0);
        var entries = new Entry[peers.Count];
        for (var i = 0; i < peers.Count; i++)
        {
            var cc = ConfChangeOf(ConfChangeType.ConfChangeAddNode, peers[i].Id, peers[i].Context);
            entries[i] = Entry.Of(1, (ulong)i + 1, EntryType.EntryConfChange, cc.ToByteString());
        }
        foreach (var e in entries)
        {
            _raft.Log.Append(e);
        }
        _raft.Log.Committed = (ulong)entries.Length;
        foreach (var peer in peers)
        {
            _raft.ApplyConfChange(ConfChangeOf(ConfChangeType.ConfChangeAddNode, peer.Id, null));
        }
    }

    /// <summary>Advances the logical clock by one tick (elections, heartbeats, CheckQuorum).</summary>
    public void Tick() => _raft.Tick();

    /// <summary>Starts an election now (a pre-election first when PreVote is on).</summary>
    public void Campaign() => _raft.Step(new Message { Type = MessageType.MsgHup });

    /// <summary>Proposes data to be appended to the log.</summary>
    public ProposalResult Propose(ByteString data) =>
        new(_raft.Propose(new Entry { Type = EntryType.EntryNormal, Data = data }));

    /// <summary>
    /// Proposes several entries at once: the leader appends them together and sends each follower
    /// one append for all (etcd's MsgProp with many entries).
    /// </summary>
    public ProposalResult ProposeBatch(IReadOnlyList<ByteString> data)
    {
        if (data.Count == 0)
        {
            return new ProposalResult(ProposalStatus.DroppedInvalid);
        }
        var entries = new Entry[data.Count];
        for (var i = 0; i < entries.Length; i++)
        {
            entries[i] = new Entry { Type = EntryType.EntryNormal, Data = data[i] };
        }
        return new ProposalResult(_raft.Propose(entries));
    }

    /// <summary>
    /// Proposes a configuration change. It takes effect when its entry is applied and the
    /// application calls <see cref="ApplyConfChange"/>. Only one may be pending at a time.
    /// </summary>
    public ProposalResult ProposeConfChange(ConfChange change)
    {
        if (!ConfChangeEntries.IsKnown(change.Type))
        {
            return new ProposalResult(ProposalStatus.DroppedInvalid);
        }
        var cc = ConfChangeOf(change.Type, change.NodeId, change.HasContext ? change.Context : null);
        cc.Id = change.Id;
        return new ProposalResult(_raft.Propose(new Entry { Type = EntryType.EntryConfChange, Data = cc.ToByteString() }));
    }

    /// <summary>
    /// Proposes a ConfChangeV2 in its simple form (one change, automatic transition), which etcd
    /// applies exactly like a v1 change. Joint consensus is not supported: anything else is
    /// refused as DroppedInvalid.
    /// </summary>
    public ProposalResult ProposeConfChange(ConfChangeV2 change)
    {
        if (ConfChangeEntries.CheckSimple(change) is not null || change.Changes.Count == 0)
        {
            return new ProposalResult(ProposalStatus.DroppedInvalid);
        }
        // Every field set, as gogo writes them.
        var cc = new ConfChangeV2 { Transition = ConfChangeTransition.Auto };
        cc.Changes.Add(new ConfChangeSingle { Type = change.Changes[0].Type, NodeId = change.Changes[0].NodeId });
        if (change.HasContext)
        {
            cc.Context = change.Context;
        }
        return new ProposalResult(_raft.Propose(new Entry { Type = EntryType.EntryConfChangeV2, Data = cc.ToByteString() }));
    }

    /// <summary>
    /// Applies a committed configuration change and returns the new configuration (to store with
    /// snapshots). Throws <see cref="RaftConfChangeException"/> when it would remove every voter.
    /// </summary>
    public ConfState ApplyConfChange(ConfChange change) => _raft.ApplyConfChange(change);

    /// <summary>Applies a committed simple ConfChangeV2; throws <see cref="RaftConfChangeException"/> for joint ones.</summary>
    public ConfState ApplyConfChange(ConfChangeV2 change) => _raft.ApplyConfChange(change);

    /// <summary>
    /// Processes a message from a peer. Never throws on peer input: the result says when a message
    /// was refused and why.
    /// </summary>
    public StepResult Step(Message message)
    {
        if (message is null)
        {
            return StepResult.Invalid("null message");
        }
        if (IsLocal(message.Type))
        {
            return new StepResult(StepStatus.LocalMessage, $"raft: cannot step raft local message {message.Type}");
        }
        if (message.From == 0)
        {
            return StepResult.Invalid($"{message.Type} without a sender");
        }
        if (message.To != 0 && message.To != Id)
        {
            return StepResult.Invalid($"{message.Type} addressed to {message.To:x}, not {Id:x}");
        }
        if (IsResponse(message.Type) && _raft.Tracker.Get(message.From) is null)
        {
            return new StepResult(StepStatus.UnknownPeer, $"raft: cannot step as peer not found ({message.From:x})");
        }
        return _raft.Step(message);
    }

    /// <summary>
    /// Asks for a linearizable read point for context; the answer arrives as a ReadState with the
    /// same context in a later Ready. Contexts should be unique per request.
    /// </summary>
    public ProposalResult ReadIndex(ByteString context) => new(_raft.ReadIndex(context));

    /// <summary>
    /// Asks the leader to hand leadership to transferee (on a follower: to this member, the only
    /// transfer a follower can ask for, as in etcd).
    /// </summary>
    public void TransferLeader(ulong transferee) =>
        _raft.Step(new Message { Type = MessageType.MsgTransferLeader, From = transferee });

    /// <summary>The transport could not reach id: the leader stops streaming to it and probes.</summary>
    public void ReportUnreachable(ulong id) =>
        _raft.Step(new Message { Type = MessageType.MsgUnreachable, From = id });

    /// <summary>The outcome of sending a snapshot to id.</summary>
    public void ReportSnapshot(ulong id, SnapshotStatus status) =>
        _raft.Step(new Message { Type = MessageType.MsgSnapStatus, From = id, Reject = status == SnapshotStatus.Failure });

    public bool HasReady()
    {
        var r = _raft;
        if (r.SoftState != _prevSoftState)
        {
            return true;
        }
        var hs = HardStateOf(r);
        if (hs != (0UL, 0UL, 0UL) && hs != _prevHardState)
        {
            return true;
        }
        return r.Log.Unstable.Snapshot is not null
            || r.Messages.Count > 0
            || r.Log.Unstable.Count > 0
            || r.Log.HasNextEntries()
            || r.ReadStates.Count > 0;
    }

    /// <summary>
    /// The work to do now. Messages and read states are handed over (not repeated); entries,
    /// hard state and committed entries are repeated until <see cref="Advance"/> acknowledges them.
    /// </summary>
    public Ready Ready()
    {
        var r = _raft;
        var soft = r.SoftState;
        var hs = HardStateOf(r);
        var entries = r.Log.UnstableEntries;
        var rd = new Ready
        {
            Entries = entries,
            CommittedEntries = r.Log.NextEntries(),
            Messages = r.TakeMessages(),
            SoftState = soft != _prevSoftState ? soft : null,
            HardState = hs != _prevHardState ? HardState.Of(hs.Term, hs.Vote, hs.Commit) : null,
            Snapshot = r.Log.Unstable.Snapshot,
            ReadStates = r.TakeReadStates(),
            MustSync = entries.Count != 0 || hs.Vote != _prevHardState.Vote || hs.Term != _prevHardState.Term,
        };
        _prevSoftState = soft;
        return rd;
    }

    /// <summary>
    /// Acknowledges a Ready: its entries, snapshot and hard state are persisted and its committed
    /// entries handed to the state machine.
    /// </summary>
    public void Advance(Ready rd)
    {
        if (rd.HardState is not null)
        {
            _prevHardState = (rd.HardState.Term, rd.HardState.Vote, rd.HardState.Commit);
        }
        var r = _raft;
        var applied = rd.AppliedCursor;
        if (applied > 0)
        {
            r.Log.AppliedTo(applied);
        }
        r.ReduceUncommittedSize(rd.CommittedEntries);
        if (rd.Entries.Count > 0)
        {
            var last = rd.Entries[^1];
            r.Log.StableTo(last.Index, last.Term);
        }
        if (rd.Snapshot?.Metadata is { } meta)
        {
            r.Log.StableSnapTo(meta.Index);
        }
    }

    /// <summary>The member's state; per-member progress only on the leader (as etcd).</summary>
    public RaftStatus Status()
    {
        var r = _raft;
        var progress = new Dictionary<ulong, PeerProgress>();
        if (r.State == RaftRole.Leader)
        {
            foreach (var id in r.Tracker.Ids)
            {
                var pr = r.Tracker.Get(id)!;
                progress[id] = new PeerProgress(pr.Match, pr.Next, pr.State, pr.IsLearner, pr.RecentActive, pr.ProbeSent,
                    pr.PendingSnapshot, pr.Inflights.Count, pr.IsPaused);
            }
        }
        return new RaftStatus(r.Id, r.Term, r.Vote, r.Log.Committed, r.Lead, r.State, r.Log.Applied, r.LeadTransferee,
            r.Tracker.Voters.ToArray(), r.Tracker.Learners.ToArray(), progress);
    }

    private static (ulong Term, ulong Vote, ulong Commit) HardStateOf(RaftStateMachine r) => (r.Term, r.Vote, r.Log.Committed);

    /// <summary>A ConfChange with every scalar field set, so that it encodes exactly as etcd's does.</summary>
    private static ConfChange ConfChangeOf(ConfChangeType type, ulong nodeId, ByteString? context)
    {
        var cc = new ConfChange { Id = 0, Type = type, NodeId = nodeId };
        if (context is not null)
        {
            cc.Context = context;
        }
        return cc;
    }

    private static bool IsLocal(MessageType t) =>
        t is MessageType.MsgHup or MessageType.MsgBeat or MessageType.MsgUnreachable
            or MessageType.MsgSnapStatus or MessageType.MsgCheckQuorum;

    private static bool IsResponse(MessageType t) =>
        t is MessageType.MsgAppResp or MessageType.MsgVoteResp or MessageType.MsgHeartbeatResp
            or MessageType.MsgUnreachable or MessageType.MsgPreVoteResp;
}
