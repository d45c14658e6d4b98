using Cairn.Protocol.Raftpb;
using Cairn.Raft.Membership;
using Cairn.Raft.Tracking;
using Google.Protobuf;

namespace Cairn.Raft.Core;

internal enum CampaignKind
{
    /// <summary>The first phase when PreVote is on: ask whether we could win, changing nothing.</summary>
    PreElection,

    /// <summary>A normal election (or the second phase after a won pre-vote).</summary>
    Election,

    /// <summary>An election ordered by the leader handing over leadership: it overrides leases.</summary>
    Transfer,
}

// Message intake: validation, the term rules of §5.1 (with etcd's lease and pre-vote refinements),
// vote requests, and dispatch to the role's handler.
internal sealed partial class RaftStateMachine
{
    /// <summary>The context of a vote request sent because of a leadership transfer (etcd's text).</summary>
    internal static readonly ByteString CampaignTransferContext = ByteString.CopyFromUtf8("CampaignTransfer");

    /// <summary>
    /// Processes one message. Peer input never throws: malformed messages are refused with
    /// <see cref="StepStatus.Invalid"/> before anything changes.
    /// </summary>
    public StepResult Step(Message m)
    {
        var invalid = Validate(m);
        if (invalid is not null)
        {
            Warning($"{Id:x} refused {m.Type} from {m.From:x}: {invalid}");
            return StepResult.Invalid(invalid);
        }

        if (m.Term == 0)
        {
            // A local message (or a forwarded proposal or read request): no term to check.
        }
        else if (m.Term > Term)
        {
            if (m.Type is MessageType.MsgVote or MessageType.MsgPreVote)
            {
                var force = m.Context.Equals(CampaignTransferContext);
                var inLease = _checkQuorum && Lead != 0 && ElectionElapsed < _electionTimeout;
                if (!force && inLease)
                {
                    // We heard from a leader within the minimum election timeout: neither update
                    // the term nor grant the vote (§6, disruptive servers).
                    Info($"{Id:x} [logterm: {Log.LastTerm()}, index: {Log.LastIndex()}, vote: {Vote:x}] ignored {m.Type} from {m.From:x} " +
                         $"[logterm: {m.LogTerm}, index: {m.Index}] at term {Term}: lease is not expired (remaining ticks: {_electionTimeout - ElectionElapsed})");
                    return StepResult.Ok;
                }
            }
            if (m.Type == MessageType.MsgPreVote)
            {
                // Never change our term in response to a pre-vote.
            }
            else if (m.Type == MessageType.MsgPreVoteResp && !m.Reject)
            {
                // A granted pre-vote carries the term we will campaign for; we move to it only
                // when a quorum grants it.
            }
            else
            {
                Info($"{Id:x} [term: {Term}] received a {m.Type} message with higher term from {m.From:x} [term: {m.Term}]");
                var fromLeader = m.Type is MessageType.MsgApp or MessageType.MsgHeartbeat or MessageType.MsgSnap;
                BecomeFollower(m.Term, fromLeader ? m.From : 0);
            }
        }
        else if (m.Term < Term)
        {
            if ((_checkQuorum || _preVote) && m.Type is MessageType.MsgHeartbeat or MessageType.MsgApp)
            {
                // A leader of an older term. With CheckQuorum or PreVote we do not raise terms on
                // vote requests, so a member that advanced its term while partitioned would be
                // stuck; answering makes that old leader step down and lets the cluster move on.
                Send(NewMessage(MessageType.MsgAppResp, m.From));
            }
            else if (m.Type == MessageType.MsgPreVote)
            {
                // Reject explicitly, or a cluster upgraded to PreVote could deadlock behind a
                // candidate with a higher term but a shorter log.
                Info($"{Id:x} [logterm: {Log.LastTerm()}, index: {Log.LastIndex()}, vote: {Vote:x}] rejected {m.Type} from {m.From:x} " +
                     $"[logterm: {m.LogTerm}, index: {m.Index}] at term {Term}");
                var resp = NewMessage(MessageType.MsgPreVoteResp, m.From, Term);
                resp.Reject = true;
                Send(resp);
            }
            else
            {
                Info($"{Id:x} [term: {Term}] ignored a {m.Type} message with lower term from {m.From:x} [term: {m.Term}]");
            }
            return StepResult.Ok;
        }

        switch (m.Type)
        {
            case MessageType.MsgHup:
                Hup(_preVote ? CampaignKind.PreElection : CampaignKind.Election);
                return StepResult.Ok;
            case MessageType.MsgVote:
            case MessageType.MsgPreVote:
                HandleVoteRequest(m);
                return StepResult.Ok;
            default:
                return State switch
                {
                    RaftRole.Leader => StepLeader(m),
                    RaftRole.Follower => StepFollower(m),
                    _ => StepCandidate(m),
                };
        }
    }

    /// <summary>Starts an election unless this member leads, cannot campaign, or has conf changes to apply.</summary>
    internal void Hup(CampaignKind kind)
    {
        if (State == RaftRole.Leader)
        {
            if (DebugEnabled)
            {
                Debug($"{Id:x} ignoring MsgHup because already leader");
            }
            return;
        }
        if (!Promotable)
        {
            Warning($"{Id:x} is unpromotable and can not campaign; ignoring MsgHup");
            return;
        }
        var pending = PendingConfChangesToApply();
        if (pending != 0)
        {
            // The configuration this member would campaign under may be about to change.
            Warning($"{Id:x} cannot campaign at term {Term} since there are still {pending} pending configuration changes to apply");
            return;
        }
        Info($"{Id:x} is starting a new election at term {Term}");
        Campaign(kind);
    }

    private int PendingConfChangesToApply()
    {
        if (Log.Committed <= Log.Applied)
        {
            return 0;
        }
        if (!Log.TrySlice(Log.Applied + 1, Log.Committed + 1, ulong.MaxValue, out var ents))
        {
            throw new RaftStateException($"unexpected error getting unapplied entries [{Log.Applied + 1}, {Log.Committed + 1})");
        }
        var n = 0;
        foreach (var e in ents)
        {
            if (ConfChangeEntries.IsConfChange(e.Type))
            {
                n++;
            }
        }
        return n;
    }

    internal void Campaign(CampaignKind kind)
    {
        if (!Promotable)
        {
            Warning($"{Id:x} is unpromotable; campaign() should have been called");
        }
        ulong term;
        MessageType voteMsg;
        if (kind == CampaignKind.PreElection)
        {
            BecomePreCandidate();
            voteMsg = MessageType.MsgPreVote;
            // Pre-votes are asked for the term we would campaign in, before incrementing ours.
            term = Term + 1;
        }
        else
        {
            BecomeCandidate();
            voteMsg = MessageType.MsgVote;
            term = Term;
        }
        var respType = voteMsg == MessageType.MsgPreVote ? MessageType.MsgPreVoteResp : MessageType.MsgVoteResp;
        if (Poll(Id, respType, true) == VoteResult.Won)
        {
            // Our own vote is a quorum: a single-voter cluster.
            if (kind == CampaignKind.PreElection)
            {
                Campaign(CampaignKind.Election);
            }
            else
            {
                BecomeLeader();
            }
            return;
        }
        var lastIndex = Log.LastIndex();
        var lastTerm = Log.LastTerm();
        foreach (var id in Tracker.Voters)
        {
            if (id == Id)
            {
                continue;
            }
            Info($"{Id:x} [logterm: {lastTerm}, index: {lastIndex}] sent {voteMsg} request to {id:x} at term {Term}");
            var m = NewMessage(voteMsg, id, term, lastIndex);
            m.LogTerm = lastTerm;
            if (kind == CampaignKind.Transfer)
            {
                m.Context = CampaignTransferContext;
            }
            Send(m);
        }
    }

    private VoteResult Poll(ulong id, MessageType type, bool granted)
    {
        Info(granted
            ? $"{Id:x} received {type} from {id:x} at term {Term}"
            : $"{Id:x} received {type} rejection from {id:x} at term {Term}");
        Tracker.RecordVote(id, granted);
        return Tracker.TallyVotes().Result;
    }

    private void HandleVoteRequest(Message m)
    {
        // We can vote if this repeats a vote already cast, if we have not voted and know no leader
        // in this term, or if it is a pre-vote for a future term...
        var canVote = Vote == m.From
            || (Vote == 0 && Lead == 0)
            || (m.Type == MessageType.MsgPreVote && m.Term > Term);
        var respType = m.Type == MessageType.MsgVote ? MessageType.MsgVoteResp : MessageType.MsgPreVoteResp;
        // ...and the candidate's log is at least as up to date as ours (§5.4.1). Learners vote too:
        // a learner promoted by an entry it has not seen yet must still help elect a leader.
        if (canVote && Log.IsUpToDate(m.Index, m.LogTerm))
        {
            Info($"{Id:x} [logterm: {Log.LastTerm()}, index: {Log.LastIndex()}, vote: {Vote:x}] cast {m.Type} for {m.From:x} " +
                 $"[logterm: {m.LogTerm}, index: {m.Index}] at term {Term}");
            // Answer with the message's term, not ours: for a pre-vote ours may be older, and the
            // pre-candidate would ignore an answer from its past.
            Send(NewMessage(respType, m.From, m.Term));
            if (m.Type == MessageType.MsgVote)
            {
                // Only real votes are recorded.
                ElectionElapsed = 0;
                Vote = m.From;
            }
        }
        else
        {
            Info($"{Id:x} [logterm: {Log.LastTerm()}, index: {Log.LastIndex()}, vote: {Vote:x}] rejected {m.Type} from {m.From:x} " +
                 $"[logterm: {m.LogTerm}, index: {m.Index}] at term {Term}");
            var resp = NewMessage(respType, m.From, Term);
            resp.Reject = true;
            Send(resp);
        }
    }

    /// <summary>Why m cannot be processed, or null when it is well formed.</summary>
    private string? Validate(Message m)
    {
        var t = m.Type;
        if (t < MessageType.MsgHup || t > MessageType.MsgPreVoteResp)
        {
            return $"unknown message type {(int)t}";
        }
        if (m.Term == 0 && NeedsTerm(t))
        {
            return $"{t} without a term";
        }
        // No real log or term gets anywhere near 2^63; larger values would only overflow later
        // (a term that wraps to 0, an index past the end) and are refused here.
        if (m.Term > SaneLimit || m.Index > SaneLimit || m.LogTerm > SaneLimit || m.Commit > SaneLimit
            || m.Snapshot?.Metadata is { } meta && (meta.Index > SaneLimit || meta.Term > SaneLimit))
        {
            return "term or index beyond 2^63";
        }
        switch (t)
        {
            case MessageType.MsgApp:
                return ValidateAppend(m);
            case MessageType.MsgHeartbeat:
                if (m.Term >= Term && m.Commit > Log.LastIndex())
                {
                    // A leader never sends a commit index beyond what it knows we hold; ours must
                    // have been lost. etcd panics here; we refuse the message.
                    return $"commit {m.Commit} is beyond the last index {Log.LastIndex()}; was the raft log corrupted, truncated, or lost?";
                }
                break;
            case MessageType.MsgSnap:
                if (m.Snapshot?.Metadata is null)
                {
                    return "snapshot message without snapshot metadata";
                }
                if (m.Snapshot.Metadata.Index > 0 && m.Snapshot.Metadata.Term == 0)
                {
                    return $"snapshot at index {m.Snapshot.Metadata.Index} with term 0";
                }
                var confProblem = ConfigurationChanger.Check(m.Snapshot.Metadata.ConfState ?? new ConfState());
                if (confProblem is not null)
                {
                    return $"snapshot configuration: {confProblem}";
                }
                break;
            case MessageType.MsgProp:
                return ValidateProposal(m.Entries);
            case MessageType.MsgReadIndex:
                if (m.Entries.Count == 0)
                {
                    return "read index request without a context entry";
                }
                break;
        }
        return null;
    }

    /// <summary>
    /// An append must describe a piece of a log: consecutive indexes after m.Index and terms that
    /// are never 0 and never decrease, starting at or after the preceding entry's term. Anything
    /// else would corrupt our log.
    /// </summary>
    private static string? ValidateAppend(Message m)
    {
        if (m.Index > 0 && m.LogTerm == 0)
        {
            return $"entry {m.Index} cannot have term 0";
        }
        var count = (ulong)m.Entries.Count;
        if (m.Index > ulong.MaxValue - count)
        {
            return $"entries beyond the largest index after {m.Index}";
        }
        var prevTerm = m.LogTerm;
        for (var i = 0; i < m.Entries.Count; i++)
        {
            var e = m.Entries[i];
            if (e.Index != m.Index + 1 + (ulong)i)
            {
                return $"entry {i} has index {e.Index}, expected {m.Index + 1 + (ulong)i}";
            }
            if (e.Term < prevTerm || e.Term == 0 || e.Term > SaneLimit)
            {
                return $"entry {e.Index} has term {e.Term} after term {prevTerm}";
            }
            prevTerm = e.Term;
        }
        return null;
    }

    private const ulong SaneLimit = long.MaxValue;

    private static bool NeedsTerm(MessageType t) => t switch
    {
        MessageType.MsgApp or MessageType.MsgAppResp or MessageType.MsgVote or MessageType.MsgVoteResp
            or MessageType.MsgPreVote or MessageType.MsgPreVoteResp or MessageType.MsgSnap
            or MessageType.MsgHeartbeat or MessageType.MsgHeartbeatResp or MessageType.MsgTimeoutNow
            or MessageType.MsgReadIndexResp => true,
        _ => false,
    };

    /// <summary>Why these proposed entries cannot be taken, or null.</summary>
    internal static string? ValidateProposal(IReadOnlyList<Entry> entries)
    {
        if (entries.Count == 0)
        {
            return "proposal without entries";
        }
        foreach (var e in entries)
        {
            switch (e.Type)
            {
                case EntryType.EntryNormal:
                    break;
                case EntryType.EntryConfChange:
                case EntryType.EntryConfChangeV2:
                    var problem = ConfChangeEntries.CheckProposal(e);
                    if (problem is not null)
                    {
                        return problem;
                    }
                    break;
                default:
                    return $"unknown entry type {(int)e.Type}";
            }
        }
        return null;
    }
}
