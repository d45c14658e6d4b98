using Cairn.Protocol.Raftpb;
using Cairn.Raft.Log;
using Cairn.Raft.Tracking;

namespace Cairn.Raft.Core;

// Followers and candidates: appends, heartbeats and snapshots from the leader, vote tallies,
// forwarding to the leader, and the start of a transferred election.
internal sealed partial class RaftStateMachine
{
    private StepResult StepFollower(Message m)
    {
        switch (m.Type)
        {
            case MessageType.MsgProp:
                return ProposalStepResult(ProposeFromMessage(m));
            case MessageType.MsgApp:
                ElectionElapsed = 0;
                Lead = m.From;
                return HandleAppendEntries(m);
            case MessageType.MsgHeartbeat:
                ElectionElapsed = 0;
                Lead = m.From;
                HandleHeartbeat(m);
                break;
            case MessageType.MsgSnap:
                ElectionElapsed = 0;
                Lead = m.From;
                HandleSnapshot(m);
                break;
            case MessageType.MsgTransferLeader:
                if (Lead == 0)
                {
                    Info($"{Id:x} no leader at term {Term}; dropping leader transfer msg");
                    break;
                }
                // Forwarded as a request to make this member the leader.
                Send(NewMessage(MessageType.MsgTransferLeader, Lead));
                break;
            case MessageType.MsgTimeoutNow:
                if (Promotable)
                {
                    // The leader hands over: campaign at once, skipping the pre-vote (we know we
                    // are not rejoining after a partition).
                    Info($"{Id:x} [term {Term}] received MsgTimeoutNow from {m.From:x} and starts an election to get leadership.");
                    Campaign(CampaignKind.Transfer);
                }
                else
                {
                    Info($"{Id:x} received MsgTimeoutNow from {m.From:x} but is not promotable");
                }
                break;
            case MessageType.MsgReadIndex:
                if (Lead == 0)
                {
                    Info($"{Id:x} no leader at term {Term}; dropping index reading msg");
                    break;
                }
                var forward = NewMessage(MessageType.MsgReadIndex, Lead);
                forward.Entries.Add(m.Entries);
                Send(forward);
                break;
            case MessageType.MsgReadIndexResp:
                if (m.Entries.Count != 1)
                {
                    return StepResult.Invalid($"MsgReadIndexResp with {m.Entries.Count} entries");
                }
                ReadStates.Add(new ReadState(m.Index, m.Entries[0].Data));
                break;
        }
        return StepResult.Ok;
    }

    /// <summary>Candidates and pre-candidates (they differ in which vote answers they count).</summary>
    private StepResult StepCandidate(Message m)
    {
        // While a candidate we may still get pre-vote answers of this term: ignore them.
        var myVoteResp = State == RaftRole.PreCandidate ? MessageType.MsgPreVoteResp : MessageType.MsgVoteResp;
        switch (m.Type)
        {
            case MessageType.MsgProp:
                Info($"{Id:x} no leader at term {Term}; dropping proposal");
                return new StepResult(StepStatus.ProposalDropped, "no leader");
            case MessageType.MsgApp:
                // Someone won this term (the message's term equals ours).
                BecomeFollower(m.Term, m.From);
                return HandleAppendEntries(m);
            case MessageType.MsgHeartbeat:
                BecomeFollower(m.Term, m.From);
                HandleHeartbeat(m);
                break;
            case MessageType.MsgSnap:
                BecomeFollower(m.Term, m.From);
                HandleSnapshot(m);
                break;
            case MessageType.MsgTimeoutNow:
                if (DebugEnabled)
                {
                    Debug($"{Id:x} [term {Term} state {State}] ignored MsgTimeoutNow from {m.From:x}");
                }
                break;
            default:
                if (m.Type != myVoteResp)
                {
                    break;
                }
                var result = Poll(m.From, m.Type, !m.Reject);
                if (result == VoteResult.Won)
                {
                    if (State == RaftRole.PreCandidate)
                    {
                        Campaign(CampaignKind.Election);
                    }
                    else
                    {
                        BecomeLeader();
                        BroadcastAppend();
                    }
                }
                else if (result == VoteResult.Lost)
                {
                    // A pre-vote answer carries a future term; stay in ours.
                    BecomeFollower(Term, 0);
                }
                break;
        }
        return StepResult.Ok;
    }

    private StepResult HandleAppendEntries(Message m)
    {
        if (m.Index < Log.Committed)
        {
            // Everything up to our commit index is settled; tell the leader where we are.
            Send(NewMessage(MessageType.MsgAppResp, m.From, index: Log.Committed));
            return StepResult.Ok;
        }
        switch (Log.MaybeAppend(m.Index, m.LogTerm, m.Commit, m.Entries, out var lastNew))
        {
            case AppendOutcome.Appended:
                Send(NewMessage(MessageType.MsgAppResp, m.From, index: lastNew));
                return StepResult.Ok;
            case AppendOutcome.TermMismatch:
                if (DebugEnabled)
                {
                    Debug($"{Id:x} [logterm: {Log.TermOrZero(m.Index)}, index: {m.Index}] rejected MsgApp [logterm: {m.LogTerm}, index: {m.Index}] from {m.From:x}");
                }
                // The hint (our last index) lets the leader skip back in one step.
                var resp = NewMessage(MessageType.MsgAppResp, m.From, index: m.Index);
                resp.Reject = true;
                resp.RejectHint = Log.LastIndex();
                Send(resp);
                return StepResult.Ok;
            default:
                Warning($"{Id:x} refused MsgApp from {m.From:x}: it conflicts with committed entries (commit {Log.Committed})");
                return StepResult.Invalid($"append after {m.Index} conflicts with committed entries (commit {Log.Committed})");
        }
    }

    private void HandleHeartbeat(Message m)
    {
        Log.CommitTo(m.Commit);
        var resp = NewMessage(MessageType.MsgHeartbeatResp, m.From);
        if (!m.Context.IsEmpty)
        {
            resp.Context = m.Context;
        }
        Send(resp);
    }

    private void HandleSnapshot(Message m)
    {
        var s = m.Snapshot;
        if (Restore(s))
        {
            Info($"{Id:x} [commit: {Log.Committed}] restored snapshot [index: {s.Metadata.Index}, term: {s.Metadata.Term}]");
            Send(NewMessage(MessageType.MsgAppResp, m.From, index: Log.LastIndex()));
        }
        else
        {
            Info($"{Id:x} [commit: {Log.Committed}] ignored snapshot [index: {s.Metadata.Index}, term: {s.Metadata.Term}]");
            Send(NewMessage(MessageType.MsgAppResp, m.From, index: Log.Committed));
        }
    }
}
