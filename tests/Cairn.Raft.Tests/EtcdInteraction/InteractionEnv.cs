using System.Text;
using Cairn.Protocol.Raftpb;
using Cairn.Raft.Storage;
using Cairn.Raft.Tracking;
using Cairn.Raft.Text;
using Google.Protobuf;

namespace Cairn.Raft.Tests.EtcdInteraction;

/// <summary>
/// A C# counterpart of etcd's rafttest.InteractionEnv: the same commands, the same storage and
/// Ready handling, the same output (without etcd's log lines), so that etcd's own interaction test
/// files can be replayed against this core.
/// </summary>
internal sealed class InteractionEnv
{
    private readonly List<Member> _nodes = new();
    private readonly List<Message> _messages = new();
    private StringBuilder _out = new();
    private bool _quiet;

    private sealed class Member
    {
        public required RaftNode Node { get; init; }

        public required MemoryRaftStorage Storage { get; init; }

        public required RaftConfig Config { get; init; }

        /// <summary>The applied states; the storage offers the latest as its snapshot, like etcd's env.</summary>
        public List<Snapshot> History { get; } = new();
    }

    /// <summary>Storage whose snapshot is the member's latest applied state.</summary>
    private sealed class HistoryStorage(MemoryRaftStorage inner, Func<Snapshot> snapshot) : IRaftStorage
    {
        public RaftInitialState InitialState() => inner.InitialState();

        public ArraySegment<Entry> Entries(ulong lo, ulong hi, ulong maxSize) => inner.Entries(lo, hi, maxSize);

        public ulong Term(ulong index) => inner.Term(index);

        public ulong LastIndex() => inner.LastIndex();

        public ulong FirstIndex() => inner.FirstIndex();

        public Snapshot Snapshot() => snapshot();
    }

    public RaftRole Role(ulong id) => _nodes[(int)id - 1].Node.Status().Role;

    /// <summary>Runs one command and returns its output as etcd's env would (minus log lines).</summary>
    public string Handle(DataDrivenCase c)
    {
        _out = new StringBuilder();
        switch (c.Command)
        {
            case "add-nodes":
                AddNodes(c);
                break;
            case "campaign":
                Node(c).Node.Campaign();
                break;
            case "propose":
                var r = Node(c).Node.Propose(ByteString.CopyFromUtf8(c.Args[1].Key));
                if (r.IsDropped)
                {
                    _out.Append("raft proposal dropped");
                }
                break;
            case "propose-conf-change":
                ProposeConfChange(c);
                break;
            case "process-ready":
                ProcessReady(Index(c));
                break;
            case "stabilize":
                Stabilize(c.Args.Where(a => a.Values.Length == 0).Select(a => int.Parse(a.Key) - 1).ToList());
                break;
            case "deliver-msgs":
                DeliverMsgs(c);
                break;
            case "tick-heartbeat":
                var n = Node(c);
                for (var i = 0; i < n.Config.HeartbeatTick; i++)
                {
                    n.Node.Tick();
                }
                break;
            case "compact":
                Node(c).Storage.Compact(ulong.Parse(c.Args[1].Key));
                RaftLog(Index(c));
                break;
            case "raft-log":
                RaftLog(Index(c));
                break;
            case "status":
                Status(Index(c));
                break;
            case "log-level":
                _quiet = c.Args[0].Key == "none";
                break;
            default:
                throw new InvalidOperationException($"unknown command {c.Command}");
        }
        if (_out.Length == 0)
        {
            return "ok";
        }
        return _quiet ? "ok (quiet)" : _out.ToString();
    }

    private static int Index(DataDrivenCase c) => int.Parse(c.Args[0].Key) - 1;

    private Member Node(DataDrivenCase c) => _nodes[Index(c)];

    private void AddNodes(DataDrivenCase c)
    {
        var count = int.Parse(c.Args[0].Key);
        var cs = new ConfState { AutoLeave = false };
        ulong index = 0;
        var data = ByteString.Empty;
        var bootstrap = false;
        foreach (var (key, values) in c.Args.Skip(1))
        {
            bootstrap = true;
            switch (key)
            {
                case "voters":
                    cs.Voters.AddRange(values.Select(ulong.Parse));
                    break;
                case "learners":
                    cs.Learners.AddRange(values.Select(ulong.Parse));
                    break;
                case "index":
                    index = ulong.Parse(values[0]);
                    break;
                case "content":
                    data = ByteString.CopyFromUtf8(values[0]);
                    break;
            }
        }
        for (var i = 0; i < count; i++)
        {
            var id = (ulong)_nodes.Count + 1;
            var storage = new MemoryRaftStorage();
            var snap = bootstrap
                ? new Snapshot { Data = data, Metadata = SnapshotMetadata.Of(cs.Clone(), index, 1) }
                : new Snapshot { Metadata = SnapshotMetadata.Of(new ConfState(), 0, 0) };
            if (bootstrap)
            {
                storage.ApplySnapshot(snap);
            }
            Member? member = null;
            var config = new RaftConfig
            {
                Id = id,
                Applied = snap.Metadata.Index,
                ElectionTick = 3,
                HeartbeatTick = 1,
                Storage = new HistoryStorage(storage, () => member!.History[^1]),
                MaxSizePerMsg = ulong.MaxValue,
                MaxInflightMsgs = int.MaxValue,
            };
            member = new Member { Node = new RaftNode(config), Storage = storage, Config = config };
            member.History.Add(snap);
            _nodes.Add(member);
        }
    }

    private void ProposeConfChange(DataDrivenCase c)
    {
        var v1 = c.Args.Skip(1).Any(a => a.Key == "v1" && a.Values[0] == "true");
        var changes = c.Input.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(ParseChange).ToList();
        ProposalResult r;
        if (v1)
        {
            r = Node(c).Node.ProposeConfChange(new ConfChange { Type = changes[0].Type, NodeId = changes[0].NodeId });
        }
        else
        {
            var cc = new ConfChangeV2 { Transition = ConfChangeTransition.Auto };
            cc.Changes.Add(changes);
            r = Node(c).Node.ProposeConfChange(cc);
        }
        if (r.IsDropped)
        {
            _out.Append(r.Status == ProposalStatus.DroppedInvalid ? "unsupported conf change" : "raft proposal dropped");
        }
    }

    private static ConfChangeSingle ParseChange(string s) => new()
    {
        Type = s[0] switch
        {
            'v' => ConfChangeType.ConfChangeAddNode,
            'l' => ConfChangeType.ConfChangeAddLearnerNode,
            'r' => ConfChangeType.ConfChangeRemoveNode,
            'u' => ConfChangeType.ConfChangeUpdateNode,
            _ => throw new FormatException($"unknown conf change {s}"),
        },
        NodeId = ulong.Parse(s[1..]),
    };

    private void ProcessReady(int idx)
    {
        var member = _nodes[idx];
        var rn = member.Node;
        var rd = rn.Ready();
        _out.Append(RaftDescriber.Describe(rd));
        // etcd's env order: hard state, entries, then the snapshot.
        if (rd.HardState is not null)
        {
            member.Storage.SetHardState(rd.HardState);
        }
        member.Storage.Append(rd.Entries);
        if (rd.Snapshot is not null)
        {
            member.Storage.ApplySnapshot(rd.Snapshot);
        }
        foreach (var e in rd.CommittedEntries)
        {
            ByteString update;
            ConfState? cs = null;
            switch (e.Type)
            {
                case EntryType.EntryConfChange:
                    var cc = ConfChange.Parser.ParseFrom(e.Data);
                    update = cc.Context;
                    cs = rn.ApplyConfChange(cc);
                    break;
                case EntryType.EntryConfChangeV2:
                    var cc2 = ConfChangeV2.Parser.ParseFrom(e.Data);
                    update = cc2.Context;
                    cs = rn.ApplyConfChange(cc2);
                    break;
                default:
                    update = e.Data;
                    break;
            }
            var last = member.History[^1];
            member.History.Add(new Snapshot
            {
                Data = ByteString.CopyFrom([.. last.Data.ToByteArray(), .. update.ToByteArray()]),
                Metadata = SnapshotMetadata.Of(cs ?? last.Metadata.ConfState, e.Index, e.Term),
            });
        }
        _messages.AddRange(rd.Messages);
        rn.Advance(rd);
    }

    private void Stabilize(List<int> idxs)
    {
        var members = idxs.Count == 0 ? Enumerable.Range(0, _nodes.Count).ToList() : idxs;
        while (true)
        {
            var done = true;
            foreach (var idx in members)
            {
                if (_nodes[idx].Node.HasReady())
                {
                    done = false;
                    _out.Append($"> {idx + 1} handling Ready\n");
                    Indented(() => ProcessReady(idx));
                }
            }
            foreach (var idx in members)
            {
                var id = (ulong)idx + 1;
                if (_messages.Any(m => m.To == id))
                {
                    _out.Append($"> {id} receiving messages\n");
                    Indented(() => Deliver(id, drop: false));
                    done = false;
                }
            }
            if (done)
            {
                return;
            }
        }
    }

    private void DeliverMsgs(DataDrivenCase c)
    {
        var n = 0;
        foreach (var (key, values) in c.Args)
        {
            if (values.Length == 0)
            {
                n += Deliver(ulong.Parse(key), drop: false);
            }
            else if (key == "drop")
            {
                foreach (var v in values)
                {
                    n += Deliver(ulong.Parse(v), drop: true);
                }
            }
        }
        if (n == 0)
        {
            _out.Append("no messages\n");
        }
    }

    private int Deliver(ulong to, bool drop)
    {
        var msgs = _messages.Where(m => m.To == to).ToList();
        _messages.RemoveAll(m => m.To == to);
        foreach (var m in msgs)
        {
            _out.Append(drop ? "dropped: " : string.Empty).Append(RaftDescriber.Describe(m)).Append('\n');
            if (drop)
            {
                continue;
            }
            var result = _nodes[(int)to - 1].Node.Step(m);
            if (!result.IsOk)
            {
                _out.Append(result.Status switch
                {
                    StepStatus.ProposalDropped => "raft proposal dropped",
                    StepStatus.UnknownPeer => "raft: cannot step as peer not found",
                    StepStatus.LocalMessage => "raft: cannot step raft local message",
                    _ => result.ToString(),
                });
            }
        }
        return msgs.Count;
    }

    private void RaftLog(int idx)
    {
        var s = _nodes[idx].Storage;
        var (fi, li) = (s.FirstIndex(), s.LastIndex());
        if (li < fi)
        {
            _out.Append($"log is empty: first index={fi}, last index={li}");
            return;
        }
        foreach (var e in s.Entries(fi, li + 1, ulong.MaxValue))
        {
            _out.Append(RaftDescriber.Describe(e)).Append('\n');
        }
    }

    private void Status(int idx)
    {
        foreach (var (id, p) in _nodes[idx].Node.Status().Progress.OrderBy(kv => kv.Key))
        {
            _out.Append($"{id}: {Describe(p)}\n");
        }
    }

    /// <summary>A progress as etcd's Progress.String() writes it.</summary>
    private static string Describe(PeerProgress p)
    {
        var s = $"{p.State.ToEtcdName()} match={p.Match} next={p.Next}";
        if (p.IsLearner)
        {
            s += " learner";
        }
        if (p.Paused)
        {
            s += " paused";
        }
        if (p.PendingSnapshot > 0)
        {
            s += $" pendingSnap={p.PendingSnapshot}";
        }
        if (!p.RecentActive)
        {
            s += " inactive";
        }
        if (p.Inflight > 0)
        {
            s += $" inflight={p.Inflight}" + (p.State == ProgressState.Replicate && p.Paused ? "[full]" : string.Empty);
        }
        return s;
    }

    private void Indented(Action action)
    {
        var outer = _out;
        _out = new StringBuilder();
        action();
        foreach (var line in _out.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            outer.Append("  ").Append(line).Append('\n');
        }
        _out = outer;
    }
}
