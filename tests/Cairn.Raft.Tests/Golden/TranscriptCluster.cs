using System.Text;
using Cairn.Protocol.Raftpb;
using Cairn.Raft.Storage;
using Cairn.Raft.Text;
using Google.Protobuf;

namespace Cairn.Raft.Tests.Golden;

/// <summary>
/// Drives a small cluster step by step with in-order, lossless delivery and writes down every
/// Ready each member produces, in etcd's describe format: a readable record of a flow.
/// </summary>
internal sealed class TranscriptCluster
{
    private readonly SortedDictionary<ulong, (RaftNode Node, MemoryRaftStorage Storage)> _members = new();
    private readonly Queue<Message> _mailbox = new();
    private readonly StringBuilder _out = new();

    public TranscriptCluster(int size, Func<RaftConfig, RaftConfig>? configure = null)
    {
        var peers = Enumerable.Range(1, size).Select(i => new RaftPeer((ulong)i)).ToArray();
        foreach (var p in peers)
        {
            var storage = new MemoryRaftStorage();
            var config = new RaftConfig { Id = p.Id, Storage = storage, MaxSizePerMsg = ulong.MaxValue, RandomSeed = 1 };
            _members[p.Id] = (RaftNode.Start(configure is null ? config : configure(config), peers), storage);
        }
    }

    public RaftNode this[ulong id] => _members[id].Node;

    public string Text => _out.ToString();

    public void ClearTranscript() => _out.Clear();

    public void Comment(string text) => _out.Append("# ").Append(text).Append('\n');

    /// <summary>Runs an action on a member, records it, then handles its Ready.</summary>
    public void Do(ulong id, string what, Func<RaftNode, object?> action)
    {
        var result = action(_members[id].Node);
        _out.Append($"> {id}: {what}").Append(result is null ? string.Empty : $" -> {result}").Append('\n');
        HandleReadies();
    }

    /// <summary>Delivers messages in order (and whatever they cause) until nothing is in flight.</summary>
    public void Stabilize()
    {
        HandleReadies();
        while (_mailbox.Count > 0)
        {
            var m = _mailbox.Dequeue();
            _out.Append($"> deliver {RaftDescriber.Describe(m, withContext: true)}\n");
            var result = _members[m.To].Node.Step(m);
            if (!result.IsOk)
            {
                _out.Append($"  step: {result}\n");
            }
            HandleReadies();
        }
    }

    private void HandleReadies()
    {
        foreach (var (id, (node, storage)) in _members)
        {
            while (node.HasReady())
            {
                var rd = node.Ready();
                foreach (var line in RaftDescriber.Describe(rd, withContext: true).TrimEnd('\n').Split('\n'))
                {
                    _out.Append($"  {id}| {line}\n");
                }
                storage.Persist(rd);
                foreach (var e in rd.CommittedEntries)
                {
                    if (e.Type == EntryType.EntryConfChange)
                    {
                        node.ApplyConfChange(ConfChange.Parser.ParseFrom(e.Data));
                    }
                }
                foreach (var m in rd.Messages)
                {
                    _mailbox.Enqueue(m);
                }
                node.Advance(rd);
            }
        }
    }

    public static ByteString Bytes(string s) => ByteString.CopyFromUtf8(s);
}
