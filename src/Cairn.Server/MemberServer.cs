using System.Threading.Channels;
using Cairn.Protocol.Etcdserverpb;
using Cairn.Raft;
using Cairn.Server.Alarms;
using Cairn.Server.Apply;
using Cairn.Server.Backend;
using Cairn.Server.Bootstrap;
using Cairn.Server.Configuration.Model;
using Cairn.Server.Consensus;
using Cairn.Server.Errors;
using Cairn.Server.Lease;
using Cairn.Server.Logging;
using Cairn.Server.Membership;
using Cairn.Server.Mvcc;
using Cairn.Server.Proposals;
using Cairn.Server.Reads;
using Cairn.Server.Watch;
using Cairn.Storage.FileSystem;

namespace Cairn.Server;

/// <summary>
/// One cluster member's server (etcd's EtcdServer, minus the wire): the raft loop, the apply loop,
/// the stores they feed, and the two ways in — proposing a request and waiting for it to be
/// applied, and waiting for a linearizable read point. The wire layer (gRPC, HTTP) sits on top.
/// </summary>
public sealed class MemberServer : IAsyncDisposable
{
    /// <summary>etcd's maxGapBetweenApplyAndCommitIndex: beyond it, new proposals are refused.</summary>
    private const ulong MaxGapBetweenApplyAndCommit = 5000;

    private readonly ServerConfiguration _config;
    private readonly ServerLogger _log;
    private readonly ProposalWaiters<ApplyResult> _waiters = new();
    private readonly RequestIdGenerator _ids;
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _published = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<Exception?> _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ClusterVersionDecider _versions;
    private readonly RaftDisk _disk;
    private Task _applying = Task.CompletedTask;
    private Task _leaseExpiry = Task.CompletedTask;
    private Task _purging = Task.CompletedTask;
    private Exception? _failure;
    private int _disposed;

    private MemberServer(ServerConfiguration config, ServerLogger log, BootstrappedMember member)
    {
        _config = config;
        _log = log;
        Id = member.MemberId;
        ClusterId = member.ClusterId;
        Membership = member.Membership;
        RequestTimeout = TimeSpan.FromSeconds(5) + 2 * config.Raft.ElectionTimeout;
        _disk = member.Disk;
        _ids = new RequestIdGenerator(member.MemberId, DateTimeOffset.UtcNow);

        Backend = new BatchedBackend(member.Backend, config.Backend.EffectiveBatchInterval, config.Backend.EffectiveBatchLimit);
        Backend.CommitFailed += OnBackendCommitFailed;
        // The lessor before the store: opening the store attaches its keys to their leases.
        Lessor = new Lessor(new BackendLeaseBucket(Backend), new LessorOptions
        {
            MinTtl = LessorOptions.MinTtlFor(config.Raft),
            ExpiredLeaseRetryInterval = RequestTimeout,
            PersistCheckpoints = config.Features.LeaseCheckpointPersist,
        });
        Store = new MvccStore(Backend, Lessor, new MvccStoreOptions { CompactionBatchLimit = (int)config.Backend.EffectiveCompactionBatchLimit });
        Kv = new KvApplier(Store, Lessor);
        if (config.Features.LeaseCheckpoint)
        {
            Lessor.Checkpointer = ProposeLeaseCheckpointAsync;
        }
        Alarms = new AlarmStore(Backend.Read(tx => tx.Alarms()));
        Quota = new BackendQuota(() => Backend.Size, config.Backend.EffectiveQuotaBytes);
        Applied = new AppliedIndex(member.SnapshotIndex);

        var committed = Channel.CreateUnbounded<CommittedBatch>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        Raft = new RaftLoop(member.Node, member.RaftStorage, member.Disk, new NoPeerTransport(), config.Raft.HeartbeatInterval, committed.Writer,
            new RaftLoopCallbacks
            {
                ProposalDropped = (id, result) => _waiters.Complete(id, ApplyResult.Failure(ProposalErrors.ToEtcdError(result))),
                ReadStates = states => Reads!.OnReadStates(states),
                ReadIndexDropped = (context, result) => Reads!.OnReadIndexDropped(context, result),
                LeaderChanged = OnLeaderChanged,
                SnapshotSaved = OnSnapshotSaved,
                Failed = OnRaftFailed,
            });
        Reads = new LinearizableReads(Raft, Applied, _ids, RequestTimeout);
        ApplyLoop = new ApplyLoop(committed.Reader, Raft, Backend, Kv, new LeaseApplier(Lessor, Store), member.V2Store, Membership, _waiters, Applied,
            new ApplySettings(member.ConsistentIndex, member.SnapshotIndex, member.ConfState, config.Snapshots.SnapshotCount, config.Snapshots.SnapshotCatchUpEntries),
            new ApplyQuota(Alarms, Quota, RaiseNoSpaceAsync),
            log);
        Watches = new WatchHub(Store, Backend, new WatchResponseHeaders(ClusterId, Id, () => Raft.Term), WatchOptionsFor(config, log));
        Store.Observer = Watches;
        _versions = new ClusterVersionDecider(this, log);
        ApplyLoop.LeaderEntryApplied += _versions.Trigger;
        ApplyLoop.LeaderEntryApplied += PromoteLessor;
    }

    public ulong Id { get; }

    public ulong ClusterId { get; }

    public ClusterMembership Membership { get; }

    public BatchedBackend Backend { get; }

    public MvccStore Store { get; }

    public KvApplier Kv { get; }

    public Lessor Lessor { get; }

    /// <summary>The watchers of this member and the events that reach them.</summary>
    public WatchHub Watches { get; }

    public AppliedIndex Applied { get; }

    /// <summary>The raised alarms (NOSPACE, CORRUPT), as committed through raft.</summary>
    public AlarmStore Alarms { get; }

    /// <summary>--quota-backend-bytes: what a write may add before NOSPACE is raised.</summary>
    public BackendQuota Quota { get; }

    public RaftLoop Raft { get; }

    public LinearizableReads Reads { get; }

    internal ApplyLoop ApplyLoop { get; }

    public ServerConfiguration Configuration => _config;

    /// <summary>etcd's ReqTimeout: 5s plus two election timeouts.</summary>
    public TimeSpan RequestTimeout { get; }

    /// <summary>Completes once this member's attributes are committed: from then on clients are served.</summary>
    public Task Published => _published.Task;

    /// <summary>Completes when the server stops, with the error that stopped it (null for a requested stop).</summary>
    public Task<Exception?> Stopped => _stopped.Task;

    /// <summary>The current leader's ID, 0 when none is known.</summary>
    public ulong Leader => Raft.Lead;

    /// <summary>Opens the data dir and starts raft and apply; the member publishes itself in the background.</summary>
    /// <exception cref="BootstrapException">The member cannot start; the message says why.</exception>
    public static MemberServer Start(ServerConfiguration config, ServerLogger log)
    {
        var member = MemberBootstrap.Start(config, log);
        var server = new MemberServer(config, log, member);
        server.Run(member);
        return server;
    }

    /// <summary>
    /// Proposes a request through raft and waits until it is applied; returns its result. Throws
    /// <see cref="EtcdException"/> for etcd's errors (too many requests, request too large, no
    /// leader, timeout, stopped).
    /// </summary>
    public async Task<ApplyResult> ProposeAsync(InternalRaftRequest request, CancellationToken cancellationToken)
    {
        if (Raft.CommittedIndex > Applied.Value + MaxGapBetweenApplyAndCommit)
        {
            throw EtcdErrors.TooManyRequests.ToException();
        }
        if (!Quota.Fits(request))
        {
            // etcd's quota check before proposing: raise NOSPACE for the whole cluster, refuse this write.
            await RaiseNoSpaceAsync().ConfigureAwait(false);
            throw EtcdErrors.NoSpace.ToException();
        }
        ulong id = _ids.Next();
        request.Header ??= new RequestHeader();
        request.Header.ID = id;
        var data = RaftRequestCodec.Encode(request);
        if ((ulong)data.Length > _config.Requests.MaxRequestBytes)
        {
            throw EtcdErrors.RequestTooLarge.ToException();
        }
        var applied = _waiters.Register(id, Deadline());
        Raft.Propose(id, data);
        return await WaitAppliedAsync(id, applied, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Proposes a NOSPACE alarm for this member; a failure is only logged, as in etcd (the next write tries again).</summary>
    private async Task RaiseNoSpaceAsync()
    {
        var raise = new AlarmRequest { MemberID = Id, Action = AlarmRequest.Types.AlarmAction.Activate, Alarm = AlarmType.Nospace };
        try
        {
            await ProposeAsync(new InternalRaftRequest { Alarm = raise }, _stopping.Token).ConfigureAwait(false);
        }
        catch (EtcdException e)
        {
            _log.ForPackage("etcdserver").Warn("failed to raise NOSPACE alarm", [LogField.Error(e.Message)],
                capnslog: $"failed to raise NOSPACE alarm: {e.Message}");
        }
    }

    /// <summary>Proposes a bare v2 request (member attributes, cluster version) and waits until it is applied.</summary>
    internal async Task<ApplyResult> ProposeV2Async(Request request, CancellationToken cancellationToken)
    {
        request.ID = _ids.Next();
        var applied = _waiters.Register(request.ID, Deadline());
        Raft.Propose(request.ID, RaftRequestCodec.Encode(request));
        return await WaitAppliedAsync(request.ID, applied, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A new unique ID from the request ID generator (etcd also draws lease IDs from it).</summary>
    internal ulong NextRequestId() => _ids.Next();

    /// <summary>Completes when local state reflects every write committed before the call.</summary>
    public Task WaitLinearizableAsync(CancellationToken cancellationToken) => Reads.WaitAsync(cancellationToken);

    /// <summary>The header fields etcd puts on every response.</summary>
    public ResponseHeader Header(long revision) => new()
    {
        ClusterId = ClusterId,
        MemberId = Id,
        Revision = revision,
        RaftTerm = Raft.Term,
    };

    /// <summary>Stops gracefully: in-flight applies finish, the backend and the WAL are synced and closed.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            await _stopped.Task.ConfigureAwait(false);
            return;
        }
        try
        {
            _stopping.Cancel();
            Lessor.Stop();
            Raft.Stop();
            try
            {
                await _applying.ConfigureAwait(false);
            }
            catch (Exception e)
            {
                // Logged when it happened (OnApplyStopped / OnRaftFailed); the stop goes on.
                _failure ??= e is OperationCanceledException or ChannelClosedException ? null : e;
            }
            var stopped = EtcdErrors.Stopped.ToException();
            _waiters.FailAll(stopped);
            await _leaseExpiry.ConfigureAwait(false);
            await _purging.ConfigureAwait(false);
            Reads.FailAll(EtcdErrors.Stopped);
            Applied.FailAll(stopped);
            _published.TrySetException(stopped);
            await Watches.DisposeAsync().ConfigureAwait(false);
            // Each is closed even when one before it fails (a full disk fails the backend's last commit, and the
            // WAL must still be unlocked); the first failure is the stop's.
            foreach (var close in new Action[] { Store.Dispose, Backend.Dispose, _disk.Dispose })
            {
                try
                {
                    close();
                }
                catch (Exception e)
                {
                    _failure ??= e;
                }
            }
        }
        catch (Exception e)
        {
            _failure ??= e;
        }
        finally
        {
            // Whoever waits for the stop (the executable, to exit) is never left waiting.
            _stopped.TrySetResult(_failure ?? Raft.Failure);
        }
    }

    private static WatchOptions WatchOptionsFor(ServerConfiguration config, ServerLogger log)
    {
        var interval = config.Features.EffectiveWatchProgressNotifyInterval;
        if (interval < WatchOptions.MinProgressNotifyInterval)
        {
            log.ForPackage("etcdserver/api/v3rpc").Warn("adjusting watch progress notify interval to minimum period",
                [LogField.Duration("min-watch-progress-notify-interval", WatchOptions.MinProgressNotifyInterval)],
                capnslog: $"adjusting watch progress notify interval to minimum period {WatchOptions.MinProgressNotifyInterval.TotalMilliseconds}ms");
        }
        return new WatchOptions
        {
            ProgressNotifyInterval = WatchOptions.EffectiveProgressInterval(interval),
            // etcd fragments at --max-request-bytes plus gRPC's overhead allowance.
            FragmentBytes = (int)Math.Min(config.Requests.MaxRequestBytes + 512 * 1024, int.MaxValue),
        };
    }

    private void Run(BootstrappedMember member)
    {
        LogStarting();
        _applying = Task.Run(() => ApplyLoop.RunAsync(CancellationToken.None));
        _ = _applying.ContinueWith(t => OnApplyStopped(t.Exception?.GetBaseException()), TaskScheduler.Default);
        Raft.Start();
        if (_config.Raft.InitialElectionTickAdvance && member.ConfState.Voters.Count <= 1 && Membership.Members.Count <= 1)
        {
            int ticks = _config.Raft.ElectionTicks - 1;
            _log.ForPackage("etcdserver").Info("started as single-node; fast-forwarding election ticks",
                [new LogField("local-member-id", MemberIds.Format(Id)), LogField.Int("forward-ticks", ticks),
                 LogField.Duration("forward-duration", ticks * _config.Raft.HeartbeatInterval), LogField.Int("election-ticks", _config.Raft.ElectionTicks),
                 LogField.Duration("election-timeout", _config.Raft.ElectionTimeout)],
                capnslog: $"{MemberIds.Format(Id)} as single-node; fast-forwarding {ticks} ticks (election ticks {_config.Raft.ElectionTicks})");
            Raft.AdvanceTicks(ticks);
        }
        _ = ExpireLateProposalsAsync();
        _ = PublishAsync();
        _ = _versions.RunAsync(_stopping.Token);
        var expiry = new LeaseExpiryLoop(Lessor, RevokeExpiredLeaseAsync, _log);
        _leaseExpiry = Task.Run(() => expiry.RunAsync(_stopping.Token));
        _purging = PurgeFilesAsync();
    }

    /// <summary>
    /// etcd's purgeFile: every 30 s, the oldest snap and snap.db files beyond --max-snapshots and the oldest WAL
    /// segments beyond --max-wals (only those the WAL released after a snapshot) are removed; 0 keeps all.
    /// A failure stops the member, as it stops etcd.
    /// </summary>
    private Task PurgeFilesAsync()
    {
        var purges = new List<Task>();
        if (_config.Snapshots.MaxSnapshotFiles > 0)
        {
            purges.Add(PurgeAsync(_config.SnapDir, "snap.db", _config.Snapshots.MaxSnapshotFiles, "failed to purge snap db file"));
            purges.Add(PurgeAsync(_config.SnapDir, "snap", _config.Snapshots.MaxSnapshotFiles, "failed to purge snap file"));
        }
        if (_config.Snapshots.MaxWalFiles > 0)
        {
            purges.Add(PurgeAsync(_config.WalDir, "wal", _config.Snapshots.MaxWalFiles, "failed to purge wal file"));
        }
        return Task.WhenAll(purges);
    }

    private async Task PurgeAsync(string directory, string suffix, ulong max, string failure)
    {
        var log = _log.ForPackage("pkg/fileutil");
        var interval = FilePurger.EtcdInterval;
        log.Info("started to purge file",
            [new LogField("dir", directory), new LogField("suffix", suffix), LogField.UInt("max", max), LogField.Duration("interval", interval)],
            capnslog: $"started to purge file, dir: {directory}, suffix: {suffix}, max: {max}, interval: {GoDurationText.Format(interval)}");
        try
        {
            await Task.Run(() => FilePurger.RunAsync(directory, suffix, (int)Math.Min(max, int.MaxValue), interval, name =>
            {
                var path = Path.Combine(directory, name);
                log.Info("purged", [new LogField("path", path)], capnslog: $"purged file {path} successfully");
            }, _stopping.Token)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _failure ??= e;
            _log.ForPackage("etcdserver").Fatal(failure, [LogField.Error(e)], capnslog: $"{failure} {e.Message}");
            _ = Task.Run(async () => await DisposeAsync().ConfigureAwait(false));
        }
    }

    /// <summary>etcd's start line: the cluster version is known here only when a snapshot recovered it.</summary>
    private void LogStarting()
    {
        var version = Lifecycle.CairnVersion.EtcdVersion;
        var recovered = Membership.MajorMinorVersion;
        var cluster = recovered ?? "to_be_decided";
        List<LogField> fields = [new("local-member-id", MemberIds.Format(Id)), new("local-server-version", version)];
        if (recovered is not null)
        {
            fields.Add(new LogField("cluster-id", MemberIds.Format(ClusterId)));
        }
        fields.Add(new LogField("cluster-version", cluster));
        _log.ForPackage("etcdserver").Info("starting etcd server", [.. fields], capnslog: $"starting server... [version: {version}, cluster version: {cluster}]");
    }

    /// <summary>
    /// Once the leader has applied its first entry of the term, every lease it holds expires its
    /// TTL plus an election timeout from now (etcd's Promote), so no lease expires early because
    /// of the failover or restart that made this member leader.
    /// </summary>
    private void PromoteLessor()
    {
        if (Raft.IsLeader)
        {
            Lessor.Promote(_config.Raft.ElectionTicks * _config.Raft.HeartbeatInterval);
        }
    }

    private Task RevokeExpiredLeaseAsync(long id, CancellationToken cancellationToken) =>
        ProposeOrThrowAsync(new InternalRaftRequest { LeaseRevoke = new LeaseRevokeRequest { ID = id } }, cancellationToken);

    private Task ProposeLeaseCheckpointAsync(LeaseCheckpointRequest request, CancellationToken cancellationToken) =>
        ProposeOrThrowAsync(new InternalRaftRequest { LeaseCheckpoint = request }, cancellationToken);

    private async Task ProposeOrThrowAsync(InternalRaftRequest request, CancellationToken cancellationToken)
    {
        var result = await ProposeAsync(request, cancellationToken).ConfigureAwait(false);
        if (result.Error is { } error)
        {
            throw error.ToException();
        }
    }

    /// <summary>
    /// Publishes this member's name and client URLs through raft, retrying until it is committed
    /// (etcd's publish). Clients are served only after, so that every member lists every other's
    /// client URLs.
    /// </summary>
    private async Task PublishAsync()
    {
        var attributes = new MemberAttributes(_config.Name, [.. _config.Urls.AdvertiseClient.Select(u => u.ToString())]);
        var request = new Request
        {
            Method = "PUT",
            Path = Storage.Snap.V2Store.V2Membership.MemberKey(Id) + "/attributes",
            Val = attributes.ToJson(),
        };
        while (!_stopping.IsCancellationRequested)
        {
            try
            {
                // etcd's raft node holds proposals back until there is a leader; proposing before would only be
                // dropped (and logged as dropped) every heartbeat until the election.
                var result = Leader == 0 ? null : await ProposeV2Async(request.Clone(), _stopping.Token).ConfigureAwait(false);
                if (result is { Error: null })
                {
                    _log.ForPackage("etcdserver").Info("published local member to cluster through raft",
                        [new LogField("local-member-id", MemberIds.Format(Id)), new LogField("local-member-attributes", attributes.ToGoString()),
                         new LogField("request-path", request.Path), new LogField("cluster-id", MemberIds.Format(ClusterId)),
                         LogField.Duration("publish-timeout", RequestTimeout)],
                        capnslog: $"published {attributes.ToGoString()} to cluster {MemberIds.Format(ClusterId)}");
                    _published.TrySetResult();
                    _versions.Trigger();
                    return;
                }
            }
            catch (EtcdException e) when (!_stopping.IsCancellationRequested)
            {
                _log.ForPackage("etcdserver").Warn("failed to publish local member to cluster through raft",
                    [new LogField("local-member-id", MemberIds.Format(Id)), new LogField("request-path", request.Path), LogField.Error(e.Message)],
                    capnslog: $"publish error: {e.Message}");
            }
            catch (OperationCanceledException)
            {
                return;
            }
            // No leader yet, or not committed: try again a heartbeat later.
            try
            {
                await Task.Delay(_config.Raft.HeartbeatInterval, _stopping.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private long Deadline() => Environment.TickCount64 + (long)RequestTimeout.TotalMilliseconds;

    /// <summary>
    /// Waits for the apply loop's answer. Timeouts come from <see cref="ExpireLateProposalsAsync"/>
    /// and a stop from <see cref="DisposeAsync"/>; only the caller's own cancellation needs a
    /// registration here.
    /// </summary>
    private async Task<ApplyResult> WaitAppliedAsync(ulong id, Task<ApplyResult> applied, CancellationToken cancellationToken)
    {
        if (!cancellationToken.CanBeCanceled)
        {
            return await applied.ConfigureAwait(false);
        }
        using var registration = cancellationToken.UnsafeRegister(static (state, _) =>
        {
            var (waiters, id) = ((ProposalWaiters<ApplyResult>, ulong))state!;
            waiters.Fail(id, EtcdErrors.RequestCanceled.ToException());
        }, (_waiters, id));
        return await applied.ConfigureAwait(false);
    }

    /// <summary>etcd's request timeout, for every waiting proposal at once: one sweep every 100 ms.</summary>
    private async Task ExpireLateProposalsAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token).ConfigureAwait(false))
            {
                _waiters.Expire(Environment.TickCount64, () => (Leader == 0 ? EtcdErrors.TimeoutDueToLeaderFail : EtcdErrors.Timeout).ToException());
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping: DisposeAsync fails whatever still waits.
        }
    }

    private void OnLeaderChanged(SoftState state, ulong term)
    {
        var raft = _log.ForPackage("raft");
        if (state.Lead == 0)
        {
            raft.Info($"raft.node: {MemberIds.Format(Id)} lost leader at term {term}");
        }
        else
        {
            raft.Info($"raft.node: {MemberIds.Format(Id)} elected leader {MemberIds.Format(state.Lead)} at term {term}");
        }
        if (state.Role == RaftRole.Leader)
        {
            _versions.Trigger();
        }
        else
        {
            Lessor.Demote();
        }
    }

    private void OnSnapshotSaved(Protocol.Raftpb.Snapshot snapshot, ulong compactedTo)
    {
        var server = _log.ForPackage("etcdserver");
        server.Info("saved snapshot", [LogField.UInt("snapshot-index", snapshot.Metadata.Index)],
            capnslog: $"saved snapshot at index {snapshot.Metadata.Index}");
        server.Info("compacted Raft logs", [LogField.UInt("compact-index", compactedTo)],
            capnslog: $"compacted raft log at {compactedTo}");
    }

    private void OnRaftFailed(Exception error)
    {
        _failure ??= error;
        if (error is RaftDiskException disk)
        {
            // Nothing of the Ready that failed was acknowledged; etcd stops the process on this line.
            _log.ForPackage("etcdserver").Fatal(disk.ZapMessage, [LogField.Error(error)], capnslog: disk.CapnslogText);
        }
        else
        {
            _log.ForPackage("etcdserver").Error("raft loop stopped on an unrecoverable error; stopping the server", [LogField.Error(error)],
                capnslog: $"raft loop stopped: {error.Message}; stopping the server");
        }
        _ = Task.Run(async () => await DisposeAsync().ConfigureAwait(false));
    }

    private void OnBackendCommitFailed(Exception error)
    {
        _failure ??= error;
        _log.ForPackage("etcdserver").Error("failed to commit the backend; stopping the server (applied entries are replayed from the WAL at the next start)",
            [new LogField("path", Backend.Path), LogField.Error(error)],
            capnslog: $"failed to commit the backend {Backend.Path}: {error.Message}; stopping the server (applied entries are replayed from the WAL at the next start)");
        _ = Task.Run(async () => await DisposeAsync().ConfigureAwait(false));
    }

    private void OnApplyStopped(Exception? error)
    {
        if (error is null || error is OperationCanceledException || _stopping.IsCancellationRequested)
        {
            return;
        }
        _failure ??= error;
        _log.ForPackage("etcdserver").Error("apply loop stopped on an unrecoverable error; stopping the server", [LogField.Error(error)],
            capnslog: $"apply loop stopped: {error.Message}; stopping the server");
        _ = Task.Run(async () => await DisposeAsync().ConfigureAwait(false));
    }
}
