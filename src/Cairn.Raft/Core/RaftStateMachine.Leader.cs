using Cairn.Protocol.Raftpb;
using Cairn.Raft.Log;
using Cairn.Raft.Membership;
using Cairn.Raft.Tracking;
using Google.Protobuf;

namespace Cairn.Raft.Core;

// The leader: taking proposals, replicating with flow control (probe, replicate and snapshot
// states), committing, heartbeats, CheckQuorum and leadership transfer.
internal sealed partial class RaftStateMachine
{
    private StepResult StepLeader(Message m)
    {
        // These need no progress for the sender.
        switch (m.Type)
        {
            case MessageType.MsgBeat:
                BroadcastHeartbeat();
                return StepResult.Ok;
            case MessageType.MsgCheckQuorum:
                CheckQuorum();
                return StepResult.Ok;
            case MessageType.MsgProp:
                return ProposalStepResult(ProposeFromMessage(m));
            case MessageType.MsgReadIndex:
                LeaderReadIndex(m);
                return StepResult.Ok;
        }

        var pr = Tracker.Get(m.From);
        if (pr is null)
        {
            if (DebugEnabled)
            {
                Debug($"{Id:x} no progress available for {m.From:x}");
            }
            return StepResult.Ok;
        }
        switch (m.Type)
        {
            case MessageType.MsgAppResp:
                return HandleAppendResponse(m, pr);
            case MessageType.MsgHeartbeatResp:
                HandleHeartbeatResponse(m, pr);
                break;
            case MessageType.MsgSnapStatus:
                if (pr.State != ProgressState.Snapshot)
                {
                    break;
                }
                if (m.Reject)
                {
                    // Forget the snapshot first, or we would probe from an index never installed.
                    pr.PendingSnapshot = 0;
                }
                pr.BecomeProbe();
                // After success wait for the follower's append response; after failure wait a
                // heartbeat interval before trying again.
                pr.ProbeSent = true;
                if (DebugEnabled)
                {
                    Debug($"{Id:x} snapshot {(m.Reject ? "failed" : "succeeded")}, resumed sending replication messages to {m.From:x} [{pr}]");
                }
                break;
            case MessageType.MsgUnreachable:
                // While streaming, an unreachable follower has most likely lost an append.
                if (pr.State == ProgressState.Replicate)
                {
                    pr.BecomeProbe();
                }
                if (DebugEnabled)
                {
                    Debug($"{Id:x} failed to send message to {m.From:x} because it is unreachable [{pr}]");
                }
                break;
            case MessageType.MsgTransferLeader:
                HandleTransferLeader(m.From, pr);
                break;
        }
        return StepResult.Ok;
    }

    /// <summary>Appends proposed entries (which must be fresh objects this member may fill in).</summary>
    private ProposalStatus LeaderPropose(Span<Entry> entries)
    {
        if (Tracker.Get(Id) is null)
        {
            // Removed from the configuration while leading: take nothing new.
            return ProposalStatus.DroppedNotMember;
        }
        if (LeadTransferee != 0)
        {
            if (DebugEnabled)
            {
                Debug($"{Id:x} [term {Term}] transfer leadership to {LeadTransferee:x} is in progress; dropping proposal");
            }
            return ProposalStatus.DroppedLeadershipTransfer;
        }
        var refused = false;
        for (var i = 0; i < entries.Length; i++)
        {
            if (!ConfChangeEntries.IsConfChange(entries[i].Type))
            {
                continue;
            }
            string? refusal = null;
            if (PendingConfIndex > Log.Applied)
            {
                refusal = $"possible unapplied conf change at index {PendingConfIndex} (applied to {Log.Applied})";
            }
            else if (ConfChangeEntries.IsLeaveJoint(entries[i]))
            {
                refusal = "not in joint state; refusing empty conf change";
            }
            if (refusal is not null)
            {
                // One change at a time: an empty entry takes this one's place.
                Info($"{Id:x} ignoring conf change at config voters=({string.Join(" ", Tracker.Voters)}): {refusal}");
                entries[i] = new Entry { Type = EntryType.EntryNormal };
                refused = true;
            }
            else
            {
                PendingConfIndex = Log.LastIndex() + (ulong)i + 1;
            }
        }
        if (!AppendEntries(entries))
        {
            if (DebugEnabled)
            {
                Debug($"{Id:x} appending new entries to log would exceed uncommitted entry size limit; dropping proposal");
            }
            return ProposalStatus.DroppedUncommittedSizeLimit;
        }
        BroadcastAppend();
        return refused ? ProposalStatus.ConfChangeRefused : ProposalStatus.Accepted;
    }

    /// <summary>Gives fresh entries the current term and the next indexes, and appends them.</summary>
    private bool AppendEntries(Span<Entry> entries)
    {
        var li = Log.LastIndex();
        if (!IncreaseUncommittedSize(entries))
        {
            return false;
        }
        for (var i = 0; i < entries.Length; i++)
        {
            var e = entries[i];
            e.Term = Term;
            e.Index = li + 1 + (ulong)i;
            if (!e.HasType)
            {
                e.Type = EntryType.EntryNormal;
            }
            Log.Append(e);
        }
        Tracker.Get(Id)!.MaybeUpdate(Log.LastIndex());
        // Whether or not this commits anything, the caller broadcasts.
        MaybeCommit();
        return true;
    }

    /// <summary>Appends the leader's own entry (the empty entry of a new term).</summary>
    private void AppendOwnEntry(Entry e)
    {
        AppendEntries(new Span<Entry>(ref e));
        // The empty entry does not count against the uncommitted size limit, so that a proposal
        // larger than the limit can still go through when nothing else is pending.
        ReduceUncommittedSize(e);
    }

    private bool IncreaseUncommittedSize(Span<Entry> entries)
    {
        ulong s = 0;
        foreach (var e in entries)
        {
            s += EntrySize.Payload(e);
        }
        // An empty uncommitted tail takes a proposal of any size.
        if (_uncommittedSize > 0 && _uncommittedSize + s > _maxUncommittedSize)
        {
            return false;
        }
        _uncommittedSize += s;
        return true;
    }

    internal void ReduceUncommittedSize(ArraySegment<Entry> committed)
    {
        if (_uncommittedSize == 0)
        {
            // Followers do not track it.
            return;
        }
        ulong s = 0;
        foreach (var e in committed)
        {
            s += EntrySize.Payload(e);
        }
        // The estimate may be low but is never high: saturate at zero.
        _uncommittedSize = s > _uncommittedSize ? 0 : _uncommittedSize - s;
    }

    private void ReduceUncommittedSize(Entry e)
    {
        var s = EntrySize.Payload(e);
        _uncommittedSize = s > _uncommittedSize ? 0 : _uncommittedSize - s;
    }

    internal ulong UncommittedSize => _uncommittedSize;

    /// <summary>Advances the commit index to what a quorum holds, if that entry is of this term (§5.4.2).</summary>
    internal bool MaybeCommit() => Log.MaybeCommit(Tracker.Committed(), Term);

    /// <summary>Sends every follower what it lacks (an empty append carries the commit index).</summary>
    internal void BroadcastAppend()
    {
        foreach (var id in Tracker.Ids)
        {
            if (id != Id)
            {
                MaybeSendAppend(id, sendIfEmpty: true);
            }
        }
    }

    internal void SendAppend(ulong to) => MaybeSendAppend(to, sendIfEmpty: true);

    /// <summary>
    /// Sends an append (or, when the entries are compacted away, the snapshot) to a follower
    /// unless its progress is paused. Empty appends carry only the commit index and are skipped
    /// unless sendIfEmpty. Returns whether a message was sent.
    /// </summary>
    private bool MaybeSendAppend(ulong to, bool sendIfEmpty)
    {
        var pr = Tracker.Get(to);
        if (pr is null || pr.IsPaused)
        {
            return false;
        }
        var prevIndex = pr.Next == 0 ? 0 : pr.Next - 1;
        var termOk = Log.TryTerm(prevIndex, out var prevTerm);
        var entsOk = Log.TryEntries(pr.Next, _maxMsgSize, out var ents);
        if (ents.Count == 0 && !sendIfEmpty)
        {
            return false;
        }

        Message m;
        if (!termOk || !entsOk)
        {
            // The follower needs entries we no longer have: send the snapshot instead.
            if (!pr.RecentActive)
            {
                if (DebugEnabled)
                {
                    Debug($"ignore sending snapshot to {to:x} since it is not recently active");
                }
                return false;
            }
            Snapshot snapshot;
            try
            {
                snapshot = Log.Snapshot();
            }
            catch (RaftStorageException e) when (e.Error == RaftStorageError.SnapshotTemporarilyUnavailable)
            {
                if (DebugEnabled)
                {
                    Debug($"{Id:x} failed to send snapshot to {to:x} because snapshot is temporarily unavailable");
                }
                return false;
            }
            if (snapshot.Metadata is null || snapshot.Metadata.Index == 0)
            {
                throw new RaftStateException("need non-empty snapshot");
            }
            m = NewMessage(MessageType.MsgSnap, to);
            m.Snapshot = snapshot;
            pr.BecomeSnapshot(snapshot.Metadata.Index);
            if (DebugEnabled)
            {
                Debug($"{Id:x} [firstindex: {Log.FirstIndex()}, commit: {Log.Committed}] sent snapshot[index: {snapshot.Metadata.Index}, " +
                            $"term: {snapshot.Metadata.Term}] to {to:x} [{pr}]");
            }
        }
        else
        {
            m = NewMessage(MessageType.MsgApp, to, index: prevIndex);
            m.LogTerm = prevTerm;
            m.Commit = Log.Committed;
            var n = ents.Count;
            if (n != 0)
            {
                m.Entries.Capacity = n;
                for (var i = 0; i < n; i++)
                {
                    m.Entries.Add(ents[i]);
                }
                switch (pr.State)
                {
                    case ProgressState.Replicate:
                        // Stream on optimistically; the window bounds how far ahead we get.
                        var last = ents[n - 1].Index;
                        pr.OptimisticUpdate(last);
                        pr.Inflights.Add(last);
                        break;
                    case ProgressState.Probe:
                        pr.ProbeSent = true;
                        break;
                    default:
                        throw new RaftStateException($"{Id:x} is sending append in unhandled state {pr.State}");
                }
            }
        }
        Send(m);
        return true;
    }

    private StepResult HandleAppendResponse(Message m, Progress pr)
    {
        pr.RecentActive = true;
        if (m.Reject)
        {
            if (DebugEnabled)
            {
                Debug($"{Id:x} received MsgAppResp(MsgApp was rejected, lastindex: {m.RejectHint}) from {m.From:x} for index {m.Index}");
            }
            if (pr.MaybeDecrTo(m.Index, m.RejectHint))
            {
                if (DebugEnabled)
                {
                    Debug($"{Id:x} decreased progress of {m.From:x} to [{pr}]");
                }
                if (pr.State == ProgressState.Replicate)
                {
                    pr.BecomeProbe();
                }
                SendAppend(m.From);
            }
            return StepResult.Ok;
        }

        if (m.Index > Log.LastIndex())
        {
            // In our term we only ever sent entries we have; acknowledging more is impossible.
            return StepResult.Invalid($"acknowledged index {m.Index} beyond the last index {Log.LastIndex()}");
        }
        var oldPaused = pr.IsPaused;
        if (!pr.MaybeUpdate(m.Index))
        {
            return StepResult.Ok;
        }
        switch (pr.State)
        {
            case ProgressState.Probe:
                pr.BecomeReplicate();
                break;
            case ProgressState.Snapshot when pr.Match >= pr.PendingSnapshot:
                // Back to replicating, through probe so the snapshot index is taken into account.
                if (DebugEnabled)
                {
                    Debug($"{Id:x} recovered from needing snapshot, resumed sending replication messages to {m.From:x} [{pr}]");
                }
                pr.BecomeProbe();
                pr.BecomeReplicate();
                break;
            case ProgressState.Replicate:
                pr.Inflights.FreeLE(m.Index);
                break;
        }

        if (MaybeCommit())
        {
            // The commit index moved in our term, so pending reads may now be answered.
            ReleasePendingReadIndexMessages();
            BroadcastAppend();
        }
        else if (oldPaused)
        {
            // The follower may have missed the latest commit index while paused.
            SendAppend(m.From);
        }
        // Freed window slots may allow several (size-limited) appends at once.
        while (MaybeSendAppend(m.From, sendIfEmpty: false))
        {
        }
        if (m.From == LeadTransferee && pr.Match == Log.LastIndex())
        {
            Info($"{Id:x} sent MsgTimeoutNow to {m.From:x} after received MsgAppResp");
            SendTimeoutNow(m.From);
        }
        return StepResult.Ok;
    }

    private void HandleHeartbeatResponse(Message m, Progress pr)
    {
        pr.RecentActive = true;
        pr.ProbeSent = false;

        // Free one slot of a full window so that replication can make progress.
        if (pr.State == ProgressState.Replicate && pr.Inflights.Full)
        {
            pr.Inflights.FreeFirstOne();
        }
        if (pr.Match < Log.LastIndex())
        {
            SendAppend(m.From);
        }

        if (_readOnlyOption != ReadOnlyOption.Safe || m.Context.IsEmpty)
        {
            return;
        }
        var acks = _readOnly.RecvAck(m.From, m.Context);
        if (acks is null || !Tracker.IsQuorum(acks))
        {
            return;
        }
        foreach (var read in _readOnly.Advance(m.Context))
        {
            AnswerReadIndex(read.Request, read.Index);
        }
    }

    internal void BroadcastHeartbeat() => BroadcastHeartbeat(_readOnly.LastPendingContext);

    private void BroadcastHeartbeat(ByteString? context)
    {
        foreach (var id in Tracker.Ids)
        {
            if (id != Id)
            {
                SendHeartbeat(id, context);
            }
        }
    }

    private void SendHeartbeat(ulong to, ByteString? context)
    {
        // Never tell a follower to commit beyond what it is known to hold: its log may still
        // differ from ours past its match index.
        var m = NewMessage(MessageType.MsgHeartbeat, to);
        m.Commit = Math.Min(Tracker.Get(to)!.Match, Log.Committed);
        if (!IsEmpty(context))
        {
            m.Context = context;
        }
        Send(m);
    }

    private void CheckQuorum()
    {
        // The leader always counts itself active (if it is still a member at all).
        var self = Tracker.Get(Id);
        if (self is not null)
        {
            self.RecentActive = true;
        }
        if (!Tracker.QuorumActive())
        {
            Warning($"{Id:x} stepped down to follower since quorum is not active");
            BecomeFollower(Term, 0);
        }
        // Everyone else must prove itself again before the next check.
        foreach (var id in Tracker.Ids)
        {
            if (id != Id)
            {
                Tracker.Get(id)!.RecentActive = false;
            }
        }
    }

    private void HandleTransferLeader(ulong transferee, Progress pr)
    {
        if (pr.IsLearner)
        {
            if (DebugEnabled)
            {
                Debug($"{Id:x} is learner. Ignored transferring leadership");
            }
            return;
        }
        var last = LeadTransferee;
        if (last != 0)
        {
            if (last == transferee)
            {
                Info($"{Id:x} [term {Term}] transfer leadership to {transferee:x} is in progress, ignores request to same node {transferee:x}");
                return;
            }
            AbortLeaderTransfer();
            Info($"{Id:x} [term {Term}] abort previous transferring leadership to {last:x}");
        }
        if (transferee == Id)
        {
            if (DebugEnabled)
            {
                Debug($"{Id:x} is already leader. Ignored transferring leadership to self");
            }
            return;
        }
        Info($"{Id:x} [term {Term}] starts to transfer leadership to {transferee:x}");
        // The transfer must finish within one election timeout.
        ElectionElapsed = 0;
        LeadTransferee = transferee;
        if (pr.Match == Log.LastIndex())
        {
            SendTimeoutNow(transferee);
            Info($"{Id:x} sends MsgTimeoutNow to {transferee:x} immediately as {transferee:x} already has up-to-date log");
        }
        else
        {
            // Bring it up to date first; the append response completes the transfer.
            SendAppend(transferee);
        }
    }

    private void SendTimeoutNow(ulong to) => Send(NewMessage(MessageType.MsgTimeoutNow, to));
}
