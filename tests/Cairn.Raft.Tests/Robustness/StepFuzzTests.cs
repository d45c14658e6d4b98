using Cairn.Protocol.Raftpb;
using Cairn.Raft.Storage;
using Google.Protobuf;

namespace Cairn.Raft.Tests.Robustness;

/// <summary>
/// Nothing a peer sends may throw out of Step: a live three-member cluster is fed random, malformed
/// and hostile messages between its real traffic.
/// </summary>
public class StepFuzzTests
{
    public static TheoryData<int> Seeds() => new(Enumerable.Range(1, 40));

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Random_peer_input_never_throws(int seed)
    {
        var rng = new Random(seed);
        var ids = new ulong[] { 1, 2, 3 };
        var storages = ids.ToDictionary(id => id, _ => new MemoryRaftStorage());
        var nodes = ids.ToDictionary(id => id, id => RaftNode.Start(
            new RaftConfig { Id = id, Storage = storages[id], MaxSizePerMsg = 4096, RandomSeed = (ulong)seed, CheckQuorum = seed % 2 == 0, PreVote = seed % 3 == 0 },
            ids.Select(p => new RaftPeer(p)).ToArray()));
        var inFlight = new List<Message>();
        for (var step = 0; step < 3000; step++)
        {
            try
            {
                var target = ids[rng.Next(ids.Length)];
                var node = nodes[target];
                switch (rng.Next(10))
                {
                    case 0:
                    case 1:
                        node.Tick();
                        break;
                    case 2:
                        node.Propose(ByteString.CopyFromUtf8($"p{step}"));
                        break;
                    case 3:
                    case 4:
                    case 5:
                        if (inFlight.Count > 0)
                        {
                            var i = rng.Next(inFlight.Count);
                            var m = inFlight[i];
                            inFlight.RemoveAt(i);
                            nodes[m.To].Step(m);
                        }
                        break;
                    default:
                        node.Step(Hostile(rng, target, node.Status()));
                        break;
                }
                foreach (var id in ids)
                {
                    Drain(nodes[id], storages[id], inFlight);
                }
            }
            catch (Exception e)
            {
                Assert.Fail($"seed {seed}, step {step}: {e}");
            }
        }
    }

    private static void Drain(RaftNode node, MemoryRaftStorage storage, List<Message> inFlight)
    {
        while (node.HasReady())
        {
            var rd = node.Ready();
            storage.Persist(rd);
            foreach (var e in rd.CommittedEntries)
            {
                if (e.Type == EntryType.EntryConfChange)
                {
                    try
                    {
                        node.ApplyConfChange(ConfChange.Parser.ParseFrom(e.Data));
                    }
                    catch (Exception ex) when (ex is RaftConfChangeException or InvalidProtocolBufferException)
                    {
                        // Committed entries are the application's to interpret: the server
                        // validates conf changes before applying them (as etcd's does) and refuses
                        // unreadable ones or one that would remove every voter.
                    }
                }
            }
            inFlight.AddRange(rd.Messages.Where(m => m.To is >= 1 and <= 3));
            node.Advance(rd);
        }
    }

    /// <summary>A message that is plausible, stale, from the future, out of sequence or nonsense.</summary>
    private static Message Hostile(Random rng, ulong to, RaftStatus status)
    {
        ulong Near(ulong v) => rng.Next(5) switch
        {
            0 => 0,
            1 when rng.Next(10) == 0 => ulong.MaxValue - (ulong)rng.Next(3),
            2 => v,
            3 => v + (ulong)rng.Next(3),
            _ => v > 2 ? v - (ulong)rng.Next(3) : (ulong)rng.Next(1000),
        };
        var m = new Message
        {
            Type = (MessageType)rng.Next(-1, 21),
            To = rng.Next(10) == 0 ? (ulong)rng.Next(5) : to,
            From = (ulong)rng.Next(0, 6),
            Term = Near(status.Term),
            LogTerm = Near(status.Term),
            Index = Near(status.Commit),
            Commit = Near(status.Commit),
            Reject = rng.Next(2) == 0,
            RejectHint = Near(status.Commit),
        };
        var n = rng.Next(4);
        var start = m.Index + 1;
        for (var i = 0; i < n; i++)
        {
            var index = rng.Next(8) == 0 ? (ulong)rng.Next(20) : start + (ulong)i;
            var type = rng.Next(10) switch
            {
                0 => EntryType.EntryConfChange,
                1 => EntryType.EntryConfChangeV2,
                2 => (EntryType)7,
                _ => EntryType.EntryNormal,
            };
            var data = type == EntryType.EntryConfChange && rng.Next(2) == 0
                ? new ConfChange { Type = (ConfChangeType)rng.Next(5), NodeId = (ulong)rng.Next(6) }.ToByteString()
                : ByteString.CopyFrom(Enumerable.Range(0, rng.Next(6)).Select(_ => (byte)rng.Next(256)).ToArray());
            m.Entries.Add(new Entry { Term = Near(status.Term), Index = index, Type = type, Data = data });
        }
        if (rng.Next(3) == 0)
        {
            var cs = new ConfState();
            for (var i = rng.Next(4); i > 0; i--)
            {
                cs.Voters.Add((ulong)rng.Next(5));
            }
            if (rng.Next(4) == 0)
            {
                cs.Learners.Add((ulong)rng.Next(5));
            }
            if (rng.Next(8) == 0)
            {
                cs.VotersOutgoing.Add(2);
            }
            m.Snapshot = rng.Next(6) == 0
                ? new Snapshot()
                : new Snapshot { Metadata = SnapshotMetadata.Of(cs, Near(status.Commit + 5), Near(status.Term)) };
        }
        if (rng.Next(4) == 0)
        {
            m.Context = ByteString.CopyFromUtf8(rng.Next(2) == 0 ? "CampaignTransfer" : "ctx");
        }
        return m;
    }
}
