using System.Threading.Channels;
using Cairn.Protocol.Etcdserverpb;
using Cairn.Protocol.Raftpb;
using Cairn.Server.Alarms;
using Cairn.Server.Backend;
using Cairn.Server.Consensus;
using Cairn.Server.Errors;
using Cairn.Server.Lease;
using Cairn.Server.Logging;
using Cairn.Server.Membership;
using Cairn.Server.Proposals;
using Cairn.Storage.Snap.V2Store;
using Google.Protobuf;

namespace Cairn.Server.Apply;

/// <summary>
/// Applies committed entries in log order, one at a time (etcd's applyAll): KV requests to the
/// MVCC store, v2 requests to the v2 store, conf changes to raft and the membership; then wakes
/// the proposal's waiter. Each entry's backend effects and the consistent index (its index) go in
/// one backend batch scope, so they are committed together: after a crash, exactly the entries
/// after the committed consistent index are applied to the backend again. The v2 store lives in
/// memory and is rebuilt from the raft snapshot, so it gets every entry after the snapshot.
/// Every <see cref="ApplySettings.SnapshotCount"/> entries it takes a raft snapshot.
/// </summary>
public sealed class ApplyLoop
{
    private readonly ChannelReader<CommittedBatch> _committed;
    private readonly RaftLoop _raft;
    private readonly BatchedBackend _backend;
    private readonly KvApplier _kv;
    private readonly LeaseApplier _leases;
    private readonly V2RequestApplier _v2;
    private readonly V2Store _v2Store;
    private readonly ClusterMembership _membership;
    private readonly ProposalWaiters<ApplyResult> _waiters;
    private readonly AppliedIndex _applied;
    private readonly ApplySettings _settings;
    private readonly ApplyQuota _quota;
    private readonly AlarmApplier _alarms;
    private readonly ServerLogger _log;
    private ulong _consistentIndex;
    private ulong _snapshotIndex;
    private ConfState _confState;

    public ApplyLoop(
        ChannelReader<CommittedBatch> committed,
        RaftLoop raft,
        BatchedBackend backend,
        KvApplier kv,
        LeaseApplier leases,
        V2Store v2Store,
        ClusterMembership membership,
        ProposalWaiters<ApplyResult> waiters,
        AppliedIndex applied,
        ApplySettings settings,
        ApplyQuota quota,
        ServerLogger log)
    {
        _committed = committed;
        _raft = raft;
        _backend = backend;
        _kv = kv;
        _leases = leases;
        _v2Store = v2Store;
        _membership = membership;
        _waiters = waiters;
        _applied = applied;
        _settings = settings;
        _quota = quota;
        _alarms = new AlarmApplier(quota.Alarms, log);
        _log = log.ForPackage("etcdserver");
        _v2 = new V2RequestApplier(v2Store, membership, log);
        _consistentIndex = settings.ConsistentIndex;
        _snapshotIndex = settings.SnapshotIndex;
        _confState = settings.ConfState;
    }

    /// <summary>Raised after a leader's empty entry of a new term is applied (etcd re-checks the cluster version then).</summary>
    public event Action? LeaderEntryApplied;

    /// <summary>The configuration as of the last applied conf change.</summary>
    public ConfState ConfState => _confState;

    /// <summary>Applies until the raft loop completes the channel; throws what made applying impossible.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (await _committed.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            while (_committed.TryRead(out var batch))
            {
                if (batch.Snapshot is { } snapshot)
                {
                    throw new NotSupportedException(
                        $"received raft snapshot at index {snapshot.Metadata.Index} from the leader; installing snapshots from peers needs the peer transport, which this server does not have yet");
                }
                var observer = _kv.Store.Observer;
                observer?.BeginBatch();
                try
                {
                    foreach (var entry in batch.Entries)
                    {
                        if (entry.Index <= _applied.Value)
                        {
                            continue;
                        }
                        await ApplyEntryAsync(entry).ConfigureAwait(false);
                        _applied.Advance(entry.Index);
                    }
                }
                finally
                {
                    observer?.EndBatch();
                }
                await MaybeSnapshotAsync().ConfigureAwait(false);
            }
        }
    }

    private async Task ApplyEntryAsync(Entry entry)
    {
        switch (entry.Type)
        {
            case EntryType.EntryNormal:
                ApplyNormal(entry);
                break;
            case EntryType.EntryConfChange:
                await ApplyConfChangeAsync(entry).ConfigureAwait(false);
                break;
            default:
                _log.Warn("skipped entry of unsupported type", [new LogField("type", entry.Type.ToString()), LogField.UInt("index", entry.Index)],
                    capnslog: $"skipped entry {entry.Index} of unsupported type {entry.Type}");
                SaveConsistentIndex(entry.Index);
                break;
        }
    }

    private void ApplyNormal(Entry entry)
    {
        bool newToBackend = entry.Index > _consistentIndex;
        if (entry.Data.IsEmpty)
        {
            // The leader's empty entry at the start of its term.
            SaveConsistentIndex(entry.Index);
            LeaderEntryApplied?.Invoke();
            return;
        }
        var request = RaftRequestCodec.Decode(entry.Data);
        if (request.V2 is { } v2)
        {
            using (var batch = _backend.BeginBatch())
            {
                _v2.Apply(v2, newToBackend ? batch : null);
                SetConsistentIndex(batch, entry.Index);
            }
            _waiters.Complete(v2.ID, ApplyResult.Success(new EmptyResponse()));
            return;
        }
        var internalRequest = request.Internal!;
        ulong id = internalRequest.ID != 0 ? internalRequest.ID : internalRequest.Header?.ID ?? 0;
        if (!newToBackend)
        {
            // Already in the backend: applied before the last restart. Nobody waits for it.
            return;
        }
        ApplyResult result;
        bool overQuota;
        using (var batch = _backend.BeginBatch())
        {
            result = ApplyInternal(internalRequest, batch, out overQuota);
            SetConsistentIndex(batch, entry.Index);
        }
        if (overQuota)
        {
            // As etcd: the client hears of NOSPACE once the alarm is committed, so it is visible when the error is.
            _ = CompleteAfterAsync(_quota.RaiseNoSpace(), id, result);
            return;
        }
        _waiters.Complete(id, result);
    }

    private async Task CompleteAfterAsync(Task first, ulong id, ApplyResult result)
    {
        await first.ConfigureAwait(false);
        _waiters.Complete(id, result);
    }

    /// <summary>
    /// etcd's applier chain: alarms; with NOSPACE raised, writes that add data are refused (the
    /// capped applier); a write that goes over the quota is applied but answered NOSPACE, and the
    /// alarm is raised (the quota applier).
    /// </summary>
    private ApplyResult ApplyInternal(InternalRaftRequest request, BackendBatch batch, out bool overQuota)
    {
        overQuota = false;
        if (request.Alarm is { } alarm)
        {
            return _alarms.Apply(alarm, batch.Transaction);
        }
        int cost = BackendQuota.Cost(request);
        if (cost > 0)
        {
            if (_quota.Alarms.NoSpace)
            {
                return ApplyResult.Failure(EtcdErrors.NoSpace);
            }
            if (!_quota.Quota.Fits(cost))
            {
                var applied = ApplyRequest(request);
                if (applied.Error is not null)
                {
                    return applied;
                }
                overQuota = true;
                return ApplyResult.Failure(EtcdErrors.NoSpace);
            }
        }
        return ApplyRequest(request);
    }

    private ApplyResult ApplyRequest(InternalRaftRequest request)
    {
        if (_kv.Apply(request) is { } kv)
        {
            return kv;
        }
        if (_leases.Apply(request) is { } lease)
        {
            return lease;
        }
        var kind = DescribeKind(request);
        _log.Error("cannot apply request of this kind yet", [new LogField("request", kind)],
            capnslog: $"cannot apply {kind} request yet");
        return ApplyResult.Failure(EtcdError.Unknown($"etcdserver: {kind} requests are not supported yet"));
    }

    private async Task ApplyConfChangeAsync(Entry entry)
    {
        var change = ConfChange.Parser.ParseFrom(entry.Data);
        var context = ConfChangeContext.Parse(change.Context.Span);
        var refusal = _membership.Validate(change, context);
        if (refusal is not null)
        {
            // Raft must still see the change, as a no-op, to allow the next one (etcd sets NodeID to None).
            change.NodeId = 0;
        }
        _confState = await _raft.ApplyConfChangeAsync(change).ConfigureAwait(false);
        using (var batch = _backend.BeginBatch())
        {
            if (refusal is null)
            {
                _membership.Apply(change, context, _v2Store, entry.Index > _consistentIndex ? batch : null);
            }
            SetConsistentIndex(batch, entry.Index);
        }
        _waiters.Complete(change.Id, refusal is null
            ? ApplyResult.Success(new EmptyResponse())
            : ApplyResult.Failure(MembershipErrors.ToEtcdError(refusal.Value)));
    }

    private void SaveConsistentIndex(ulong index)
    {
        using var batch = _backend.BeginBatch();
        SetConsistentIndex(batch, index);
    }

    private void SetConsistentIndex(BackendBatch batch, ulong index)
    {
        if (index > _consistentIndex)
        {
            batch.Transaction.SetConsistentIndex(index);
            _consistentIndex = index;
        }
    }

    private async Task MaybeSnapshotAsync()
    {
        ulong applied = _applied.Value;
        if (applied - _snapshotIndex <= _settings.SnapshotCount)
        {
            return;
        }
        // The backend must hold everything up to the snapshot before the log behind it goes.
        _backend.ForceCommit();
        var data = UnsafeByteOperations.UnsafeWrap(V2StoreJson.Serialize(_v2Store));
        var snapshot = await _raft.CreateSnapshotAsync(applied, _confState, data, _settings.SnapshotCatchUpEntries).ConfigureAwait(false);
        if (snapshot is not null)
        {
            _snapshotIndex = applied;
        }
    }

    private static string DescribeKind(InternalRaftRequest request) => request switch
    {
        { LeaseGrant: not null } => "lease grant",
        { LeaseRevoke: not null } => "lease revoke",
        { LeaseCheckpoint: not null } => "lease checkpoint",
        _ => "auth",
    };
}
