using Cairn.Protocol.Raftpb;
using Google.Protobuf;

namespace Cairn.Raft.Membership;

/// <summary>
/// Reading configuration changes out of entries and proposals: ConfChange (v1), and ConfChangeV2
/// in its simple form (at most one change, automatic transition) that etcd applies exactly like
/// v1. Joint consensus is not supported.
/// </summary>
internal static class ConfChangeEntries
{
    public static bool IsConfChange(EntryType type) => type is EntryType.EntryConfChange or EntryType.EntryConfChangeV2;

    /// <summary>Why this v2 change cannot be applied here, or null.</summary>
    public static string? CheckSimple(ConfChangeV2 cc)
    {
        if (cc.Transition != ConfChangeTransition.Auto || cc.Changes.Count > 1)
        {
            return "joint consensus (ConfChangeV2 with several changes or an explicit transition) is not supported";
        }
        foreach (var c in cc.Changes)
        {
            if (!IsKnown(c.Type))
            {
                return $"unknown conf change type {(int)c.Type}";
            }
        }
        return null;
    }

    public static bool IsKnown(ConfChangeType type) =>
        type is >= ConfChangeType.ConfChangeAddNode and <= ConfChangeType.ConfChangeAddLearnerNode;

    /// <summary>Why a proposed conf change entry cannot be taken, or null.</summary>
    public static string? CheckProposal(Entry e)
    {
        try
        {
            if (e.Type == EntryType.EntryConfChange)
            {
                var cc = ConfChange.Parser.ParseFrom(e.Data);
                return IsKnown(cc.Type) ? null : $"unknown conf change type {(int)cc.Type}";
            }
            // An empty v2 change (leave joint) passes: the leader refuses it as etcd's does.
            return CheckSimple(ConfChangeV2.Parser.ParseFrom(e.Data));
        }
        catch (InvalidProtocolBufferException ex)
        {
            return $"unreadable conf change: {ex.Message}";
        }
    }

    /// <summary>
    /// Whether a proposed v2 change asks to leave a joint configuration (it has no changes): never
    /// valid here, since this core never enters one.
    /// </summary>
    public static bool IsLeaveJoint(Entry e)
    {
        if (e.Type != EntryType.EntryConfChangeV2)
        {
            return false;
        }
        try
        {
            return ConfChangeV2.Parser.ParseFrom(e.Data).Changes.Count == 0;
        }
        catch (InvalidProtocolBufferException)
        {
            return false;
        }
    }
}
