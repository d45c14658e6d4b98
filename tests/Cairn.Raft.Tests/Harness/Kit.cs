using Cairn.Protocol.Raftpb;
using Cairn.Raft.Core;
using Cairn.Raft.Storage;
using Google.Protobuf;

namespace Cairn.Raft.Tests.Harness;

/// <summary>Builders and shortcuts shared by the unit and scenario tests (after etcd's raft tests).</summary>
internal static class Kit
{
    public static ulong[] Ids(int size) => Enumerable.Range(1, size).Select(i => (ulong)i).ToArray();

    /// <summary>A storage whose configuration is the given voters (and learners).</summary>
    public static MemoryRaftStorage NewStorage(ulong[] voters, ulong[]? learners = null)
    {
        var cs = new ConfState { AutoLeave = false };
        cs.Voters.AddRange(voters);
        if (learners is not null)
        {
            cs.Learners.AddRange(learners);
        }
        return new MemoryRaftStorage(cs);
    }

    public static RaftConfig Config(ulong id, MemoryRaftStorage storage, int election = 10, int heartbeat = 1) => new()
    {
        Id = id,
        ElectionTick = election,
        HeartbeatTick = heartbeat,
        Storage = storage,
        MaxSizePerMsg = ulong.MaxValue,
        MaxInflightMsgs = 256,
        RandomSeed = 42,
    };

    public static RaftStateMachine NewRaft(ulong id, ulong[] peers, int election = 10, int heartbeat = 1, Func<RaftConfig, RaftConfig>? configure = null) =>
        NewRaft(id, NewStorage(peers), election, heartbeat, configure);

    public static RaftStateMachine NewRaft(ulong id, MemoryRaftStorage storage, int election = 10, int heartbeat = 1, Func<RaftConfig, RaftConfig>? configure = null)
    {
        var config = Config(id, storage, election, heartbeat);
        return new RaftStateMachine(configure is null ? config : configure(config));
    }

    public static RaftStateMachine Learner(ulong id, ulong[] voters, ulong[] learners, int election = 10, int heartbeat = 1) =>
        new(Config(id, NewStorage(voters, learners), election, heartbeat));

    public static RaftConfig PreVote(RaftConfig c) => c with { PreVote = true };

    public static RaftConfig CheckQuorum(RaftConfig c) => c with { CheckQuorum = true };

    public static Entry Ent(ulong term, ulong index, string? data = null) =>
        Entry.Of(term, index, EntryType.EntryNormal, data is null ? null : ByteString.CopyFromUtf8(data));

    /// <summary>Entries at indexes 1.. with the given terms.</summary>
    public static Entry[] EntsWithTerms(params ulong[] terms) =>
        terms.Select((t, i) => Ent(t, (ulong)i + 1)).ToArray();

    public static Entry Data(string data) => new() { Data = ByteString.CopyFromUtf8(data) };

    public static Message Msg(ulong from, ulong to, MessageType type, ulong term = 0, ulong index = 0, ulong logTerm = 0,
        ulong commit = 0, bool reject = false, ulong rejectHint = 0, params Entry[] entries)
    {
        var m = new Message
        {
            From = from,
            To = to,
            Type = type,
            Term = term,
            Index = index,
            LogTerm = logTerm,
            Commit = commit,
            Reject = reject,
            RejectHint = rejectHint,
        };
        m.Entries.Add(entries);
        return m;
    }

    public static Message Hup(ulong id) => Msg(id, id, MessageType.MsgHup);

    public static Message Beat(ulong id) => Msg(id, id, MessageType.MsgBeat);

    public static Message Prop(ulong id, string data = "somedata") => Msg(id, id, MessageType.MsgProp, entries: Data(data));

    public static Message PropEmpty(ulong id) => Msg(id, id, MessageType.MsgProp, entries: new Entry());

    public static Message ConfChangeProp(ulong id, ConfChangeType type, ulong node) =>
        Msg(id, id, MessageType.MsgProp, entries: new Entry
        {
            Type = EntryType.EntryConfChange,
            Data = new ConfChange { Type = type, NodeId = node }.ToByteString(),
        });

    public static ConfChange Cc(ConfChangeType type, ulong node) => new() { Type = type, NodeId = node };

    /// <summary>Takes the messages the member has queued.</summary>
    public static List<Message> Read(RaftStateMachine r) => r.TakeMessages().ToList();

    /// <summary>Messages sorted by recipient then type, for order-free comparison.</summary>
    public static List<Message> ReadSorted(RaftStateMachine r) =>
        Read(r).OrderBy(m => m.To).ThenBy(m => m.Type).ToList();

    /// <summary>Persists the unstable tail and returns (and applies) what is committed (etcd's nextEnts).</summary>
    public static List<Entry> NextEnts(RaftStateMachine r, MemoryRaftStorage s)
    {
        s.Append(r.Log.UnstableEntries);
        r.Log.StableTo(r.Log.LastIndex(), r.Log.LastTerm());
        var ents = r.Log.NextEntries().ToList();
        r.Log.AppliedTo(r.Log.Committed);
        return ents;
    }

    /// <summary>Persists and applies everything committed, snapshots there and compacts the log.</summary>
    public static void SnapshotAndCompact(RaftStateMachine r, MemoryRaftStorage s)
    {
        NextEnts(r, s);
        s.CreateSnapshot(r.Log.Applied, r.Tracker.ConfState(), ByteString.Empty);
        s.Compact(r.Log.Applied);
    }

    /// <summary>Every entry of the log, stable and unstable.</summary>
    public static List<Entry> AllEntries(RaftStateMachine r)
    {
        Assert.True(r.Log.TryEntries(r.Log.FirstIndex(), ulong.MaxValue, out var ents));
        return ents.ToList();
    }

    /// <summary>The acknowledgement a follower sends for an append it accepted.</summary>
    public static Message AcceptAndReply(Message m)
    {
        Assert.Equal(MessageType.MsgApp, m.Type);
        return Msg(m.To, m.From, MessageType.MsgAppResp, m.Term, m.Index + (ulong)m.Entries.Count);
    }

    /// <summary>Has a new leader commit its empty entry with every follower acknowledging it.</summary>
    public static void CommitNoopEntry(RaftStateMachine r, MemoryRaftStorage s)
    {
        Assert.Equal(RaftRole.Leader, r.State);
        r.BroadcastAppend();
        foreach (var m in Read(r))
        {
            Assert.True(m.Type == MessageType.MsgApp && m.Entries.Count == 1 && m.Entries[0].Data.IsEmpty, "not a noop append");
            r.Step(AcceptAndReply(m));
        }
        Read(r);
        s.Append(r.Log.UnstableEntries);
        r.Log.AppliedTo(r.Log.Committed);
        r.Log.StableTo(r.Log.LastIndex(), r.Log.LastTerm());
    }

    public static void MakeLeader(RaftStateMachine r)
    {
        r.BecomeCandidate();
        r.BecomeLeader();
    }

    /// <summary>
    /// Brings 2's election timer to one tick short of a (pushed back) timeout, as etcd's CheckQuorum
    /// tests do, then elects 1 through the network.
    /// </summary>
    public static void ElectFirstWithSecondTimerAdvanced(RaftStateMachine[] m, TestNetwork net)
    {
        m[1].RandomizedElectionTimeout = m[1].ElectionTimeout + 1;
        for (var i = 0; i < m[1].ElectionTimeout; i++)
        {
            m[1].Tick();
        }
        net.Send(Hup(1));
        Assert.Equal(RaftRole.Leader, m[0].State);
    }

    /// <summary>A leader of a fresh cluster whose empty entry every follower has acknowledged.</summary>
    public static RaftStateMachine CommittedLeader(int size, out MemoryRaftStorage storage, Func<RaftConfig, RaftConfig>? configure = null)
    {
        storage = NewStorage(Ids(size));
        var r = NewRaft(1, storage, configure: configure);
        MakeLeader(r);
        CommitNoopEntry(r, storage);
        return r;
    }

    /// <summary>Ticks until the member has campaigned, without delivering anything.</summary>
    public static void TickUntilElectionTimeout(RaftStateMachine r)
    {
        for (var i = 0; i < r.RandomizedElectionTimeout; i++)
        {
            r.Tick();
        }
    }
}
