using Cairn.Protocol.Raftpb;
using Cairn.Raft.Log;
using Cairn.Raft.Membership;
using Cairn.Raft.ReadOnly;
using Cairn.Raft.Tracking;
using Google.Protobuf;

namespace Cairn.Raft.Core;

/// <summary>
/// The Raft protocol itself (etcd's raft struct): roles and terms, elections, replication, commit,
/// ReadIndex, membership and leadership transfer. Pure: it changes only through Tick and Step and
/// reports what to do through Messages, ReadStates and its log. This file holds the state, the
/// role transitions and the clock; the other parts of the class hold one concern each.
/// </summary>
internal sealed partial class RaftStateMachine
{
    private readonly ulong _maxMsgSize;
    private readonly ulong _maxUncommittedSize;
    private readonly bool _checkQuorum;
    private readonly bool _preVote;
    private readonly bool _disableProposalForwarding;
    private readonly int _heartbeatTimeout;
    private readonly int _electionTimeout;
    private readonly ReadOnlyOption _readOnlyOption;
    private readonly IRaftLogger _logger;
    private readonly ElectionRandom _random;

    private ReadIndexQueue _readOnly;
    private List<Message> _pendingReadIndexMessages = new();

    // An estimate of the leader's uncommitted tail, for MaxUncommittedEntriesSize.
    private ulong _uncommittedSize;
    private int _heartbeatElapsed;

    public RaftStateMachine(RaftConfig config)
    {
        config.Validate();
        Id = config.Id;
        _maxMsgSize = config.MaxSizePerMsg;
        _maxUncommittedSize = config.EffectiveMaxUncommittedEntriesSize;
        _checkQuorum = config.CheckQuorum;
        _preVote = config.PreVote;
        _disableProposalForwarding = config.DisableProposalForwarding;
        _heartbeatTimeout = config.HeartbeatTick;
        _electionTimeout = config.ElectionTick;
        _readOnlyOption = config.ReadOnlyOption;
        _logger = config.Logger ?? new NullRaftLogger();
        _random = new ElectionRandom(config.RandomSeed, config.Id);
        _readOnly = new ReadIndexQueue(_readOnlyOption);

        var storage = config.Storage!;
        Log = new RaftLog(storage, config.EffectiveMaxCommittedSizePerReady);
        var (hardState, confState) = storage.InitialState();
        Tracker = new ProgressTracker(config.MaxInflightMsgs);
        ConfigurationChanger.Restore(Tracker, confState, Log.LastIndex());
        OnConfigurationChanged();

        if (hardState.Term != 0 || hardState.Vote != 0 || hardState.Commit != 0)
        {
            LoadState(hardState);
        }
        if (config.Applied > 0)
        {
            Log.AppliedTo(config.Applied);
        }
        BecomeFollower(Term, 0);
        Info($"newRaft {Id:x} [peers: [{string.Join(",", Tracker.Voters.Select(v => v.ToString("x")))}], term: {Term}, " +
             $"commit: {Log.Committed}, applied: {Log.Applied}, lastindex: {Log.LastIndex()}, lastterm: {Log.LastTerm()}]");
    }

    public ulong Id { get; }

    public ulong Term { get; internal set; }

    /// <summary>Whom this member voted for in the current term (0: nobody).</summary>
    public ulong Vote { get; internal set; }

    public RaftLog Log { get; }

    public ProgressTracker Tracker { get; }

    public RaftRole State { get; private set; }

    /// <summary>This member is a learner: it never campaigns.</summary>
    public bool IsLearner { get; private set; }

    /// <summary>The known leader of the current term (0: none).</summary>
    public ulong Lead { get; private set; }

    /// <summary>The member leadership is being handed to (0: no transfer under way).</summary>
    public ulong LeadTransferee { get; private set; }

    /// <summary>
    /// An index at or beyond the latest conf change in the log. A new conf change is accepted only
    /// once the applied index has passed it: one change at a time.
    /// </summary>
    public ulong PendingConfIndex { get; internal set; }

    /// <summary>
    /// Ticks since the last election timeout (leader, candidate) or since the leader was last heard
    /// from (follower).
    /// </summary>
    public int ElectionElapsed { get; internal set; }

    /// <summary>Drawn from [ElectionTick, 2*ElectionTick-1] at every role change.</summary>
    public int RandomizedElectionTimeout { get; internal set; }

    /// <summary>Messages to send, in order; taken (and replaced) by Ready.</summary>
    public List<Message> Messages { get; private set; } = new();

    /// <summary>Answered ReadIndex requests; taken (and replaced) by Ready.</summary>
    public List<ReadState> ReadStates { get; private set; } = new();

    public int HeartbeatElapsed => _heartbeatElapsed;

    public int ElectionTimeout => _electionTimeout;

    public ReadOnlyOption ReadOnlyOption => _readOnlyOption;

    public bool HasLeader => Lead != 0;

    public SoftState SoftState => new(Lead, State);

    public HardState HardState => HardState.Of(Term, Vote, Log.Committed);

    /// <summary>Hands the pending messages over (to a Ready) and starts a new list.</summary>
    public IReadOnlyList<Message> TakeMessages()
    {
        var msgs = Messages;
        if (msgs.Count == 0)
        {
            return Array.Empty<Message>();
        }
        Messages = new List<Message>();
        return msgs;
    }

    public IReadOnlyList<ReadState> TakeReadStates()
    {
        var rs = ReadStates;
        if (rs.Count == 0)
        {
            return Array.Empty<ReadState>();
        }
        ReadStates = new List<ReadState>();
        return rs;
    }

    /// <summary>Advances the clock by one tick: elections for followers, heartbeats for leaders.</summary>
    public void Tick()
    {
        if (State == RaftRole.Leader)
        {
            TickHeartbeat();
        }
        else
        {
            TickElection();
        }
    }

    /// <summary>Whether this member may campaign: it is a voter in its own configuration.</summary>
    public bool Promotable
    {
        get
        {
            var pr = Tracker.Get(Id);
            return pr is not null && !pr.IsLearner;
        }
    }

    public bool PastElectionTimeout => ElectionElapsed >= RandomizedElectionTimeout;

    internal void BecomeFollower(ulong term, ulong lead)
    {
        Reset(term);
        Lead = lead;
        State = RaftRole.Follower;
        Info($"{Id:x} became follower at term {Term}");
    }

    internal void BecomeCandidate()
    {
        if (State == RaftRole.Leader)
        {
            throw new RaftStateException("invalid transition [leader -> candidate]");
        }
        Reset(Term + 1);
        Vote = Id;
        State = RaftRole.Candidate;
        Info($"{Id:x} became candidate at term {Term}");
    }

    /// <summary>A pre-candidate changes neither its term nor its vote: a lost pre-vote leaves no trace.</summary>
    internal void BecomePreCandidate()
    {
        if (State == RaftRole.Leader)
        {
            throw new RaftStateException("invalid transition [leader -> pre-candidate]");
        }
        Tracker.ResetVotes();
        Lead = 0;
        State = RaftRole.PreCandidate;
        Info($"{Id:x} became pre-candidate at term {Term}");
    }

    internal void BecomeLeader()
    {
        if (State == RaftRole.Follower)
        {
            throw new RaftStateException("invalid transition [follower -> leader]");
        }
        Reset(Term);
        Lead = Id;
        State = RaftRole.Leader;
        // The leader trivially replicates to itself; Reset set its Match to the last index.
        Tracker.Get(Id)?.BecomeReplicate();

        // There may be an unapplied conf change in the log; scanning for it could be expensive, so
        // hold further conf changes until everything present now has been applied.
        PendingConfIndex = Log.LastIndex();

        // An empty entry of the new term: committing it commits every earlier entry (§5.4.2), and it
        // does not count against the uncommitted size limit.
        var empty = Entry.Of(Term, Log.LastIndex() + 1, EntryType.EntryNormal, null);
        AppendOwnEntry(empty);
        Info($"{Id:x} became leader at term {Term}");
    }

    private void Reset(ulong term)
    {
        if (Term != term)
        {
            Term = term;
            Vote = 0;
        }
        Lead = 0;
        ElectionElapsed = 0;
        _heartbeatElapsed = 0;
        ResetRandomizedElectionTimeout();
        AbortLeaderTransfer();
        Tracker.ResetVotes();
        var last = Log.LastIndex();
        foreach (var id in Tracker.Ids)
        {
            var old = Tracker.Get(id)!;
            var pr = new Progress(last + 1, Tracker.MaxInflight, old.IsLearner);
            if (id == Id)
            {
                pr.Match = last;
            }
            Tracker.Replace(id, pr);
        }
        PendingConfIndex = 0;
        _uncommittedSize = 0;
        _readOnly = new ReadIndexQueue(_readOnlyOption);
        // Reads held for a commit in a term that is over are dropped, never answered later.
        if (_pendingReadIndexMessages.Count > 0)
        {
            _pendingReadIndexMessages = new List<Message>();
        }
    }

    internal void ResetRandomizedElectionTimeout() =>
        RandomizedElectionTimeout = _electionTimeout + _random.Next(_electionTimeout);

    private void TickElection()
    {
        ElectionElapsed++;
        if (Promotable && PastElectionTimeout)
        {
            ElectionElapsed = 0;
            Hup(_preVote ? CampaignKind.PreElection : CampaignKind.Election);
        }
    }

    private void TickHeartbeat()
    {
        _heartbeatElapsed++;
        ElectionElapsed++;

        if (ElectionElapsed >= _electionTimeout)
        {
            ElectionElapsed = 0;
            if (_checkQuorum)
            {
                CheckQuorum();
            }
            // A transfer that did not complete within an election timeout is abandoned.
            if (State == RaftRole.Leader && LeadTransferee != 0)
            {
                AbortLeaderTransfer();
            }
        }

        if (State != RaftRole.Leader)
        {
            return;
        }

        if (_heartbeatElapsed >= _heartbeatTimeout)
        {
            _heartbeatElapsed = 0;
            BroadcastHeartbeat();
        }
    }

    internal void LoadState(HardState state)
    {
        if (state.Commit < Log.Committed || state.Commit > Log.LastIndex())
        {
            throw new RaftStateException(
                $"{Id:x} state.commit {state.Commit} is out of range [{Log.Committed}, {Log.LastIndex()}]");
        }
        Log.Committed = state.Commit;
        Term = state.Term;
        Vote = state.Vote;
    }

    internal void AbortLeaderTransfer() => LeadTransferee = 0;

    /// <summary>
    /// Queues a message. Election messages carry their term explicitly; every other message gets
    /// the current term, except proposals and read requests, which are forwarded as local input.
    /// </summary>
    private void Send(Message m)
    {
        m.From = Id;
        var t = m.Type;
        if (t is MessageType.MsgVote or MessageType.MsgVoteResp or MessageType.MsgPreVote or MessageType.MsgPreVoteResp)
        {
            if (m.Term == 0)
            {
                throw new RaftStateException($"term should be set when sending {t}");
            }
        }
        else if (t != MessageType.MsgProp && t != MessageType.MsgReadIndex)
        {
            m.Term = Term;
        }
        Messages.Add(m);
    }

    /// <summary>
    /// A message with every scalar field set, so that it encodes like etcd's (gogo writes them all,
    /// zero or not).
    /// </summary>
    private static Message NewMessage(MessageType type, ulong to, ulong term = 0, ulong index = 0)
    {
        return new Message
        {
            Type = type,
            To = to,
            From = 0,
            Term = term,
            LogTerm = 0,
            Index = index,
            Commit = 0,
            Reject = false,
            RejectHint = 0,
        };
    }

    private void Info(string message)
    {
        if (_logger.IsEnabled(RaftLogLevel.Info))
        {
            _logger.Log(RaftLogLevel.Info, message);
        }
    }

    // Debug messages are built only when wanted: callers test DebugEnabled first (a lambda
    // would allocate its closure on every call of the enclosing method, even unused).
    private bool DebugEnabled => _logger.IsEnabled(RaftLogLevel.Debug);

    private void Debug(string message) => _logger.Log(RaftLogLevel.Debug, message);

    private void Warning(string message)
    {
        if (_logger.IsEnabled(RaftLogLevel.Warning))
        {
            _logger.Log(RaftLogLevel.Warning, message);
        }
    }

    private static bool IsEmpty(ByteString? b) => b is null || b.IsEmpty;
}
