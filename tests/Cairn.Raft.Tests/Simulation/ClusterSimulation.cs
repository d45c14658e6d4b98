using Cairn.Protocol.Raftpb;
using Google.Protobuf;

namespace Cairn.Raft.Tests.Simulation;

/// <summary>
/// One seeded run: a cluster under client load, partitions, message loss, delay, reordering and
/// duplication, crashes and restarts, membership changes and leadership transfers, with the Raft
/// guarantees checked after every step; then a final heal, after which a leader must emerge and
/// a new proposal commit within a bound.
/// </summary>
internal sealed class ClusterSimulation
{
    private readonly SimulationOptions _options;
    private readonly Random _rng;
    private readonly SimulatedNetwork _network;
    private readonly SafetyChecker _checker = new();
    private readonly Dictionary<ulong, SimulatedMember> _members = new();
    private readonly Dictionary<string, (ulong Member, ulong CommittedWhenAsked)> _reads = new();
    private readonly List<string>? _trace;
    private long _now;
    private ulong _nextId;
    private int _writes;

    public ClusterSimulation(SimulationOptions options, bool trace = false)
    {
        _options = options;
        _rng = new Random(options.Seed);
        _network = new SimulatedNetwork(_rng)
        {
            DropRate = options.DropRate,
            DuplicateRate = options.DuplicateRate,
            MaxDelay = options.MaxDelay,
        };
        _trace = trace ? new List<string>() : null;
    }

    /// <summary>The last lines of the trace (when tracing), for a failure report.</summary>
    public IEnumerable<string> TraceTail(int lines) => _trace is null ? [] : _trace.Skip(Math.Max(0, _trace.Count - lines));

    public int ReadsAnswered { get; private set; }

    /// <summary>What the run went through, to show that a seed exercised something.</summary>
    public string Summary =>
        $"terms {_members.Values.Where(m => m.Running).Select(m => m.Node!.Status().Term).DefaultIfEmpty().Max()}, " +
        $"members {_members.Count} ({_members.Values.Count(m => m.Removed)} removed), crashes {_crashes}, partitions {_partitions}, " +
        $"snapshots installed {_members.Values.Sum(m => m.SnapshotsInstalled)}, reads answered {ReadsAnswered}, final commit {FinalCommit}";

    private int _crashes;
    private int _partitions;

    public ulong FinalCommit { get; private set; }

    /// <summary>Runs the whole scenario; throws <see cref="SafetyViolation"/> on a broken guarantee.</summary>
    public void Run()
    {
        var ids = Enumerable.Range(1, _options.Members).Select(i => (ulong)i).ToList();
        _nextId = (ulong)_options.Members + 1;
        foreach (var id in ids)
        {
            AddMember(id).Bootstrap(ids);
        }

        for (var step = 0; step < _options.Steps; step++)
        {
            InjectFault();
            ClientTraffic();
            Tick();
        }

        FinalHeal();
        CheckLiveness();
    }

    private SimulatedMember AddMember(ulong id)
    {
        var config = new RaftConfig
        {
            Id = id,
            ElectionTick = _options.ElectionTick,
            HeartbeatTick = _options.HeartbeatTick,
            MaxSizePerMsg = _options.MaxSizePerMsg,
            MaxInflightMsgs = _options.MaxInflightMsgs,
            PreVote = _options.PreVote,
            CheckQuorum = _options.CheckQuorum,
            // Safe reads only: lease-based answers can be stale (LeaseReadIndexTests shows how),
            // and the checker requires every answer to be linearizable.
            ReadOnlyOption = ReadOnlyOption.Safe,
            RandomSeed = (ulong)_options.Seed,
        };
        var member = new SimulatedMember(id, config, _options)
        {
            OnRemovalApplied = (by, removed) => Trace($"{by.Id:x} applied removal of {removed:x}"),
            OnMemberAdded = StartAddedMember,
        };
        _members[id] = member;
        return member;
    }

    /// <summary>An operator starts a new member once its addition is applied (etcd's member add).</summary>
    private void StartAddedMember(ulong id)
    {
        if (_members.ContainsKey(id))
        {
            return;
        }
        Trace($"start new member {id:x}");
        AddMember(id).Join();
    }

    private IEnumerable<SimulatedMember> Running => _members.Values.Where(m => m.Running);

    private SimulatedMember? Leader =>
        Running.Where(m => m.Node!.StateMachine.State == RaftRole.Leader).OrderByDescending(m => m.Node!.StateMachine.Term).FirstOrDefault();

    /// <summary>One unit of time: members tick (with some skew), due messages arrive, Readies are handled.</summary>
    private void Tick()
    {
        _now++;
        foreach (var m in Running.ToList())
        {
            if (_rng.NextDouble() < 0.9)
            {
                m.Node!.Tick();
                m.NoteLeadership(_checker, checkCompleteness: true);
            }
        }
        HandleReadies();
        foreach (var msg in _network.TakeDue(_now))
        {
            if (_members.TryGetValue(msg.To, out var to) && to.Running)
            {
                var result = to.Node!.Step(msg);
                if (result.Status == StepStatus.Invalid)
                {
                    throw new SafetyViolation($"{to.Id:x} refused a message a correct peer sent: {result} ({Text.RaftDescriber.Describe(msg)})");
                }
                to.NoteLeadership(_checker);
                HandleReadies();
            }
        }
        HandleReadies();
    }

    private void HandleReadies()
    {
        foreach (var m in Running.ToList())
        {
            m.HandleReadies(_checker, msg => Send(m, msg), rs => ReadAnswered(m, rs));
        }
    }

    private bool Send(SimulatedMember from, Message m)
    {
        if (_members.TryGetValue(m.To, out var to) && to.RemovedPeers.Contains(from.Id))
        {
            // etcd's transport refuses a removed member, which then stops.
            Trace($"{from.Id:x} is told it was removed by {to.Id:x}; it stops");
            from.Stop();
            return false;
        }
        if (m.Type == MessageType.MsgSnap)
        {
            // etcd's server sends its current applied state, not the stored snapshot (which may
            // predate the recipient's membership).
            m = from.WithCurrentSnapshot(m);
        }
        var sent = _network.Send(m, _now);
        if (_trace is not null)
        {
            Trace((sent ? "send " : "drop ") + Text.RaftDescriber.Describe(m));
        }
        if (!sent && from.Running && _rng.Next(4) == 0)
        {
            from.Node!.ReportUnreachable(m.To);
        }
        return sent;
    }

    private void ReadAnswered(SimulatedMember member, ReadState rs)
    {
        var ctx = rs.RequestContext.ToStringUtf8();
        // Kept after the first answer: a duplicated request or answer brings another, which must
        // be just as valid.
        if (!_reads.TryGetValue(ctx, out var asked))
        {
            throw new SafetyViolation($"{member.Id:x} got a read state for unknown context {ctx}");
        }
        // A request forwarded twice (to a member that was no longer leader) comes back to the
        // second forwarder, as in etcd, whose server ignores contexts it did not ask for. The
        // answer must still be linearizable.
        SafetyChecker.Read(member.Id, ctx, rs.Index, asked.CommittedWhenAsked);
        ReadsAnswered++;
    }

    private void ClientTraffic()
    {
        var running = Running.ToList();
        if (running.Count == 0)
        {
            return;
        }
        if (_rng.NextDouble() < 0.35)
        {
            var m = running[_rng.Next(running.Count)];
            var data = $"w{_writes++}";
            var r = m.Node!.Propose(ByteString.CopyFromUtf8(data));
            Trace($"propose {data} at {m.Id:x}: {r.Status}");
        }
        if (_rng.NextDouble() < 0.05)
        {
            var m = running[_rng.Next(running.Count)];
            var ctx = $"r{_now}";
            _reads[ctx] = (m.Id, _checker.MaxCommitted);
            var r = m.Node!.ReadIndex(ByteString.CopyFromUtf8(ctx));
            Trace($"read {ctx} at {m.Id:x} (committed {_checker.MaxCommitted}): {r.Status}");
        }
        HandleReadies();
    }

    private void InjectFault()
    {
        var roll = _rng.NextDouble();
        var running = Running.ToList();
        if (roll < 0.01 && running.Count > 1)
        {
            var victim = running[_rng.Next(running.Count)];
            Trace($"crash {victim.Id:x}");
            _crashes++;
            victim.Crash();
        }
        else if (roll < 0.04)
        {
            var crashed = _members.Values.Where(m => !m.Running && !m.Removed).ToList();
            if (crashed.Count > 0)
            {
                var m = crashed[_rng.Next(crashed.Count)];
                Trace($"restart {m.Id:x}");
                m.Restart();
            }
        }
        else if (roll < 0.05)
        {
            var ids = _members.Keys.OrderBy(_ => _rng.Next()).ToList();
            var cut = 1 + _rng.Next(Math.Max(1, ids.Count - 1));
            Trace($"partition [{string.Join(" ", ids.Take(cut))}] | [{string.Join(" ", ids.Skip(cut))}]");
            _network.Partition(ids.Take(cut).ToList(), ids.Skip(cut).ToList());
            _partitions++;
        }
        else if (roll < 0.07)
        {
            Trace("heal");
            _network.Heal();
        }
        else if (roll < 0.09)
        {
            ChangeMembership();
        }
        else if (roll < 0.095)
        {
            if (Leader is { } leader)
            {
                var voters = leader.Node!.Status().Voters.Where(v => v != leader.Id).ToList();
                if (voters.Count > 0)
                {
                    var target = voters[_rng.Next(voters.Count)];
                    Trace($"transfer leadership {leader.Id:x} -> {target:x}");
                    leader.Node.TransferLeader(target);
                }
            }
        }
        else if (roll < 0.10)
        {
            _network.DropRate = _rng.Next(3) == 0 ? 0.3 : _options.DropRate;
            Trace($"drop rate {_network.DropRate}");
        }
        HandleReadies();
    }

    /// <summary>Proposes one membership change through the leader, keeping at least three voters.</summary>
    private void ChangeMembership()
    {
        if (Leader is not { } leader || _members.Count >= 9)
        {
            return;
        }
        var status = leader.Node!.Status();
        ConfChange cc;
        switch (_rng.Next(5))
        {
            case 0:
                cc = new ConfChange { Type = ConfChangeType.ConfChangeAddNode, NodeId = _nextId++ };
                break;
            case 1:
                cc = new ConfChange { Type = ConfChangeType.ConfChangeAddLearnerNode, NodeId = _nextId++ };
                break;
            case 2 when status.Learners.Count > 0:
                cc = new ConfChange { Type = ConfChangeType.ConfChangeAddNode, NodeId = status.Learners[_rng.Next(status.Learners.Count)] };
                break;
            case 3 when status.Voters.Count > 3:
                cc = new ConfChange { Type = ConfChangeType.ConfChangeRemoveNode, NodeId = status.Voters[_rng.Next(status.Voters.Count)] };
                break;
            case 4 when status.Learners.Count > 0:
                cc = new ConfChange { Type = ConfChangeType.ConfChangeRemoveNode, NodeId = status.Learners[_rng.Next(status.Learners.Count)] };
                break;
            default:
                return;
        }
        var r = leader.Node.ProposeConfChange(cc);
        Trace($"conf change {Text.RaftDescriber.Describe(cc)} via {leader.Id:x}: {r.Status}");
    }

    private void FinalHeal()
    {
        Trace("final heal");
        _network.Heal();
        _network.DropRate = 0;
        _network.DuplicateRate = 0;
        _network.MaxDelay = Math.Min(_network.MaxDelay, 2);
        foreach (var m in _members.Values.Where(m => !m.Running && !m.Removed))
        {
            m.Restart();
        }
        HandleReadies();
    }

    /// <summary>After the heal, a leader emerges and a new proposal commits within the bound.</summary>
    private void CheckLiveness()
    {
        var data = ByteString.CopyFromUtf8($"final-{_options.Seed}");
        for (var t = 0; t < _options.LivenessBound; t++)
        {
            if (Leader is { } leader && t % 20 == 0)
            {
                var r = leader.Node!.Propose(data);
                Trace($"final proposal via {leader.Id:x}: {r.Status}");
            }
            Tick();
            if (Leader is { } l && CommittedOnAllVoters(l, data))
            {
                FinalCommit = l.Node!.Status().Commit;
                return;
            }
        }
        var states = string.Join(", ", _members.Values.Select(m => m.Running
            ? $"{m.Id:x}: {m.Node!.Status().Role} term {m.Node.Status().Term} commit {m.Node.Status().Commit} applied {m.Applied}"
            : $"{m.Id:x}: {(m.Removed ? "removed" : "down")}"));
        throw new SafetyViolation($"liveness: no proposal committed within {_options.LivenessBound} ticks after the heal ({states})");
    }

    private bool CommittedOnAllVoters(SimulatedMember leader, ByteString data)
    {
        var status = leader.Node!.Status();
        var log = leader.Node.StateMachine.Log;
        ulong index = 0;
        for (var i = Math.Max(log.FirstIndex(), status.Commit > 200 ? status.Commit - 200 : 1); i <= status.Commit; i++)
        {
            if (log.TrySlice(i, i + 1, ulong.MaxValue, out var e) && e[0].Data.Equals(data))
            {
                index = i;
                break;
            }
        }
        if (index == 0)
        {
            return false;
        }
        return status.Voters.All(v => _members.TryGetValue(v, out var m) && m.Running && m.Applied >= index);
    }

    private void Trace(string line) => _trace?.Add($"[{_now}] {line}");
}
