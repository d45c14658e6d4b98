using Cairn.Protocol.Raftpb;
using Google.Protobuf;

namespace Cairn.Raft.Core;

// Proposals and ReadIndex requests, local or forwarded: where they go depends on the role.
internal sealed partial class RaftStateMachine
{
    /// <summary>Proposes one fresh entry (its type and data set; term and index are filled in).</summary>
    public ProposalStatus Propose(Entry entry) => Propose(new Span<Entry>(ref entry));

    /// <summary>
    /// Proposes fresh entries as one batch: the leader appends them together and sends each
    /// follower one append for all; a follower forwards them in one message.
    /// </summary>
    public ProposalStatus Propose(Span<Entry> entries)
    {
        switch (State)
        {
            case RaftRole.Leader:
                return LeaderPropose(entries);
            case RaftRole.Follower:
                var refused = CanForward();
                if (refused is not null)
                {
                    return refused.Value;
                }
                var m = NewMessage(MessageType.MsgProp, Lead);
                foreach (var e in entries)
                {
                    m.Entries.Add(e);
                }
                Send(m);
                return ProposalStatus.Forwarded;
            default:
                Info($"{Id:x} no leader at term {Term}; dropping proposal");
                return ProposalStatus.DroppedNoLeader;
        }
    }

    /// <summary>A proposal that arrived as a message (forwarded by a follower).</summary>
    private ProposalStatus ProposeFromMessage(Message m)
    {
        // The entries belong to the message; the log gets copies it can number.
        var entries = new Entry[m.Entries.Count];
        for (var i = 0; i < entries.Length; i++)
        {
            var e = m.Entries[i];
            entries[i] = e.HasData ? new Entry { Type = e.Type, Data = e.Data } : new Entry { Type = e.Type };
        }
        return Propose(entries);
    }

    private ProposalStatus? CanForward()
    {
        if (Lead == 0)
        {
            Info($"{Id:x} no leader at term {Term}; dropping proposal");
            return ProposalStatus.DroppedNoLeader;
        }
        if (_disableProposalForwarding)
        {
            Info($"{Id:x} not forwarding to leader {Lead:x} at term {Term}; dropping proposal");
            return ProposalStatus.DroppedForwardingDisabled;
        }
        return null;
    }

    private static StepResult ProposalStepResult(ProposalStatus status) =>
        status is ProposalStatus.Accepted or ProposalStatus.Forwarded or ProposalStatus.ConfChangeRefused
            ? StepResult.Ok
            : new StepResult(StepStatus.ProposalDropped, new ProposalResult(status).Describe());

    /// <summary>
    /// Asks for a read index for this request context. The answer comes as a ReadState in a later
    /// Ready (on this member, even when the leader is another).
    /// </summary>
    public ProposalStatus ReadIndex(ByteString context)
    {
        var m = NewMessage(MessageType.MsgReadIndex, 0);
        m.Entries.Add(Entry.Of(0, 0, EntryType.EntryNormal, context));
        switch (State)
        {
            case RaftRole.Leader:
                LeaderReadIndex(m);
                return ProposalStatus.Accepted;
            case RaftRole.Follower:
                if (Lead == 0)
                {
                    Info($"{Id:x} no leader at term {Term}; dropping index reading msg");
                    return ProposalStatus.DroppedNoLeader;
                }
                StepFollower(m);
                return ProposalStatus.Forwarded;
            default:
                return ProposalStatus.DroppedNoLeader;
        }
    }

    private void LeaderReadIndex(Message m)
    {
        // The only voter needs nobody's confirmation.
        if (Tracker.IsSingleton)
        {
            AnswerReadIndex(m, Log.Committed);
            return;
        }
        // Until an entry of this term commits, our commit index may lag the true one (§6.4):
        // hold the request until then.
        if (!CommittedEntryInCurrentTerm())
        {
            _pendingReadIndexMessages.Add(m);
            return;
        }
        ConfirmReadIndex(m);
    }

    private void ConfirmReadIndex(Message m)
    {
        switch (_readOnlyOption)
        {
            case ReadOnlyOption.Safe:
                // A heartbeat round acknowledged by a quorum proves we still lead.
                var ctx = m.Entries[0].Data;
                _readOnly.Add(Log.Committed, m);
                _readOnly.RecvAck(Id, ctx);
                BroadcastHeartbeat(ctx);
                break;
            case ReadOnlyOption.LeaseBased:
                AnswerReadIndex(m, Log.Committed);
                break;
        }
    }

    private void AnswerReadIndex(Message request, ulong index)
    {
        if (request.From == 0 || request.From == Id)
        {
            ReadStates.Add(new ReadState(index, request.Entries[0].Data));
            return;
        }
        var resp = NewMessage(MessageType.MsgReadIndexResp, request.From, index: index);
        resp.Entries.Add(request.Entries);
        Send(resp);
    }

    private void ReleasePendingReadIndexMessages()
    {
        if (_pendingReadIndexMessages.Count == 0)
        {
            return;
        }
        if (!CommittedEntryInCurrentTerm())
        {
            return;
        }
        var pending = _pendingReadIndexMessages;
        _pendingReadIndexMessages = new List<Message>();
        foreach (var m in pending)
        {
            ConfirmReadIndex(m);
        }
    }

    internal bool CommittedEntryInCurrentTerm() => Log.TermOrZero(Log.Committed) == Term;

    internal int PendingReadIndexCount => _pendingReadIndexMessages.Count + _readOnly.Count;
}
