using System.Text;
using Cairn.Protocol.Raftpb;
using Google.Protobuf;

namespace Cairn.Raft.Text;

/// <summary>
/// One-line, human-readable forms of Raft data in the style of etcd's raft.Describe* functions,
/// for logs, debugging and golden transcripts.
/// </summary>
public static class RaftDescriber
{
    public static string Describe(HardState hs)
    {
        var s = $"Term:{hs.Term}";
        if (hs.Vote != 0)
        {
            s += $" Vote:{hs.Vote}";
        }
        return s + $" Commit:{hs.Commit}";
    }

    public static string Describe(SoftState ss) => $"Lead:{ss.Lead} State:{ss.Role.ToEtcdName()}";

    public static string Describe(ConfState cs) =>
        $"Voters:[{string.Join(" ", cs.Voters)}] VotersOutgoing:[{string.Join(" ", cs.VotersOutgoing)}] " +
        $"Learners:[{string.Join(" ", cs.Learners)}] LearnersNext:[{string.Join(" ", cs.LearnersNext)}] " +
        $"AutoLeave:{(cs.AutoLeave ? "true" : "false")}";

    public static string Describe(Snapshot snap)
    {
        var m = snap.Metadata ?? new SnapshotMetadata();
        return $"Index:{m.Index} Term:{m.Term} ConfState:{Describe(m.ConfState ?? new ConfState())}";
    }

    /// <summary>"term/index Type payload"; conf changes as etcd writes them (v2 adds voter 2, r3 removes 3).</summary>
    public static string Describe(Entry e)
    {
        var formatted = e.Type switch
        {
            EntryType.EntryNormal => Quote(e.Data),
            EntryType.EntryConfChange => DescribeConfChange(e.Data),
            EntryType.EntryConfChangeV2 => DescribeConfChangeV2(e.Data),
            _ => string.Empty,
        };
        return formatted.Length == 0 ? $"{e.Term}/{e.Index} {e.Type}" : $"{e.Term}/{e.Index} {e.Type} {formatted}";
    }

    public static string Describe(ConfChange cc)
    {
        var kind = cc.Type switch
        {
            ConfChangeType.ConfChangeAddNode => "v",
            ConfChangeType.ConfChangeAddLearnerNode => "l",
            ConfChangeType.ConfChangeRemoveNode => "r",
            ConfChangeType.ConfChangeUpdateNode => "u",
            _ => "unknown",
        };
        return kind + cc.NodeId;
    }

    /// <summary>
    /// A message as etcd describes it; withContext adds the context (etcd 3.4 leaves it out), which
    /// shows ReadIndex flows.
    /// </summary>
    public static string Describe(Message m, bool withContext = false)
    {
        var sb = new StringBuilder();
        sb.Append($"{m.From:x}->{m.To:x} {m.Type} Term:{m.Term} Log:{m.LogTerm}/{m.Index}");
        if (m.Reject)
        {
            sb.Append($" Rejected (Hint: {m.RejectHint})");
        }
        if (m.Commit != 0)
        {
            sb.Append($" Commit:{m.Commit}");
        }
        if (m.Entries.Count > 0)
        {
            sb.Append(" Entries:[");
            for (var i = 0; i < m.Entries.Count; i++)
            {
                if (i > 0)
                {
                    sb.Append(", ");
                }
                sb.Append(Describe(m.Entries[i]));
            }
            sb.Append(']');
        }
        if (withContext && !m.Context.IsEmpty)
        {
            sb.Append($" Context:{Quote(m.Context)}");
        }
        if (m.Snapshot?.Metadata is { Index: > 0 })
        {
            sb.Append($" Snapshot: {Describe(m.Snapshot)}");
        }
        return sb.ToString();
    }

    /// <summary>A multi-line description of a Ready as etcd's DescribeReady gives it, or "&lt;empty Ready&gt;".</summary>
    public static string Describe(Ready rd, bool withContext = false)
    {
        var sb = new StringBuilder();
        if (rd.SoftState is { } ss)
        {
            sb.Append(Describe(ss)).Append('\n');
        }
        if (rd.HardState is { } hs)
        {
            sb.Append("HardState ").Append(Describe(hs)).Append('\n');
        }
        if (rd.ReadStates.Count > 0)
        {
            sb.Append("ReadStates [");
            for (var i = 0; i < rd.ReadStates.Count; i++)
            {
                if (i > 0)
                {
                    sb.Append(' ');
                }
                sb.Append($"{{Index:{rd.ReadStates[i].Index} Context:{Quote(rd.ReadStates[i].RequestContext)}}}");
            }
            sb.Append("]\n");
        }
        if (rd.Entries.Count > 0)
        {
            sb.Append("Entries:\n");
            foreach (var e in rd.Entries)
            {
                sb.Append(Describe(e)).Append('\n');
            }
        }
        if (rd.Snapshot is { } snap)
        {
            sb.Append("Snapshot ").Append(Describe(snap)).Append('\n');
        }
        if (rd.CommittedEntries.Count > 0)
        {
            sb.Append("CommittedEntries:\n");
            foreach (var e in rd.CommittedEntries)
            {
                sb.Append(Describe(e)).Append('\n');
            }
        }
        if (rd.Messages.Count > 0)
        {
            sb.Append("Messages:\n");
            foreach (var m in rd.Messages)
            {
                sb.Append(Describe(m, withContext)).Append('\n');
            }
        }
        return sb.Length == 0 ? "<empty Ready>" : $"Ready MustSync={(rd.MustSync ? "true" : "false")}:\n{sb}";
    }

    private static string DescribeConfChange(ByteString data)
    {
        try
        {
            return Describe(ConfChange.Parser.ParseFrom(data));
        }
        catch (InvalidProtocolBufferException e)
        {
            return e.Message;
        }
    }

    private static string DescribeConfChangeV2(ByteString data)
    {
        try
        {
            var cc = ConfChangeV2.Parser.ParseFrom(data);
            return string.Join(" ", cc.Changes.Select(c => Describe(new ConfChange { Type = c.Type, NodeId = c.NodeId })));
        }
        catch (InvalidProtocolBufferException e)
        {
            return e.Message;
        }
    }

    /// <summary>Bytes as a double-quoted string, escaping what is not printable ASCII (like Go's %q).</summary>
    private static string Quote(ByteString data)
    {
        var sb = new StringBuilder(data.Length + 2);
        sb.Append('"');
        foreach (var b in data.Span)
        {
            switch (b)
            {
                case (byte)'"':
                    sb.Append("\\\"");
                    break;
                case (byte)'\\':
                    sb.Append("\\\\");
                    break;
                case >= 0x20 and < 0x7f:
                    sb.Append((char)b);
                    break;
                default:
                    sb.Append($"\\x{b:x2}");
                    break;
            }
        }
        return sb.Append('"').ToString();
    }
}
