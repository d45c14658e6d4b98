using Cairn.Protocol.Etcdserverpb;
using Cairn.Server.Apply;
using Cairn.Server.Errors;
using Cairn.Server.Mvcc;
using Cairn.Storage;
using LeaseRecord = Cairn.Protocol.Leasepb.Lease;

namespace Cairn.Server.Lease;

/// <summary>
/// The member's leases (etcd's lessor). Every member keeps the same table, changed only by
/// applied entries (<see cref="Grant"/>, <see cref="Revoke"/>, <see cref="Checkpoint"/>) and by
/// the MVCC store attaching and detaching keys. Only the primary — the leader, once it has
/// applied its first entry (<see cref="Promote"/>) — runs the clocks: it renews leases, finds the
/// expired ones for the server to revoke through raft, and schedules checkpoints. Everywhere else
/// leases never expire (<see cref="Demote"/>), so a member that lost leadership cannot revoke.
/// </summary>
/// <remarks>
/// One lock guards everything: the applying thread, the raft thread (demote), the expiry loop
/// and the API's renewals and lookups all take it briefly; nothing is awaited under it.
/// </remarks>
public sealed class Lessor : IKeyLeases, ILeaseLookup
{
    /// <summary>etcd's MaxLeaseTTL: longer grants fail with "too large lease TTL".</summary>
    public const long MaxLeaseTtl = 9_000_000_000;

    private readonly object _gate = new();
    private readonly ILeaseBucket _bucket;
    private readonly LessorOptions _options;
    private readonly long _origin;
    private readonly Dictionary<long, Lease> _leases = new();
    private readonly Dictionary<byte[], long> _keyLeases = new(ByteArrayComparer.Instance);
    private readonly LeaseExpiryQueue _expiries = new();
    private readonly PriorityQueue<long, TimeSpan> _checkpoints = new();
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource? _demoted;

    /// <summary>Opens the lessor on the leases of <paramref name="bucket"/>; none expires until promoted.</summary>
    public Lessor(ILeaseBucket bucket, LessorOptions options)
    {
        _bucket = bucket;
        _options = options;
        _origin = options.Time.GetTimestamp();
        foreach (var record in bucket.ReadAll())
        {
            _leases[record.ID] = new Lease(record.ID, Math.Max(record.TTL, options.MinTtl), record.RemainingTTL);
        }
    }

    /// <summary>
    /// Proposes a checkpoint through raft and waits for it to be applied. Set (before the server
    /// starts) when checkpointing is enabled (--experimental-enable-lease-checkpoint); null: no checkpoints.
    /// </summary>
    public Func<LeaseCheckpointRequest, CancellationToken, Task>? Checkpointer { get; set; }

    public long MinTtl => _options.MinTtl;

    public LessorOptions Options => _options;

    /// <summary>Whether this lessor manages expiry (the leader's, after <see cref="Promote"/>).</summary>
    public bool IsPrimary
    {
        get
        {
            lock (_gate)
            {
                return _demoted is not null;
            }
        }
    }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _leases.Count;
            }
        }
    }

    private TimeSpan Now => _options.Time.GetElapsedTime(_origin);

    /// <summary>
    /// Applies a grant: a lease of at least <see cref="MinTtl"/> seconds; returns the TTL granted.
    /// Throws <see cref="EtcdException"/> with etcd's errors (ID 0: not found, TTL over
    /// <see cref="MaxLeaseTtl"/>, an ID in use).
    /// </summary>
    public long Grant(long id, long ttl)
    {
        if (id == 0)
        {
            throw EtcdErrors.LeaseNotFound.ToException();
        }
        if (ttl > MaxLeaseTtl)
        {
            throw EtcdErrors.LeaseTtlTooLarge.ToException();
        }
        lock (_gate)
        {
            if (_leases.ContainsKey(id))
            {
                throw EtcdErrors.LeaseExists.ToException();
            }
            var lease = new Lease(id, Math.Max(ttl, _options.MinTtl), 0);
            _leases[id] = lease;
            Persist(lease);
            if (_demoted is not null)
            {
                lease.Refresh(Now, TimeSpan.Zero);
                _expiries.RegisterOrUpdate(id, lease.Expiry);
                ScheduleCheckpointIfNeeded(lease, Now);
            }
            return lease.Ttl;
        }
    }

    /// <summary>
    /// Applies a revoke: <paramref name="deleteKeys"/> gets the attached keys in byte order, to
    /// delete in one MVCC write transaction (they detach themselves), then the lease leaves the
    /// table and the bucket. Throws <see cref="EtcdException"/> (lease not found).
    /// </summary>
    public void Revoke(long id, Action<byte[][]> deleteKeys)
    {
        Lease? lease;
        byte[][] keys;
        lock (_gate)
        {
            if (!_leases.TryGetValue(id, out lease))
            {
                throw EtcdErrors.LeaseNotFound.ToException();
            }
            keys = lease.SortedKeys();
        }
        try
        {
            deleteKeys(keys);
            lock (_gate)
            {
                _leases.Remove(id);
                foreach (var key in lease.Keys)
                {
                    // Only a key the store failed to delete is left; it must not point at a gone lease.
                    _keyLeases.Remove(key);
                }
                _bucket.Delete(id);
            }
        }
        finally
        {
            lease.Revoked.TrySetResult();
        }
    }

    /// <summary>
    /// Applies a checkpoint: the lease's remaining TTL, which the next promotion counts from
    /// (persisted with --experimental-enable-lease-checkpoint-persist). An unknown lease is ignored.
    /// </summary>
    public void Checkpoint(long id, long remainingTtl)
    {
        lock (_gate)
        {
            if (!_leases.TryGetValue(id, out var lease))
            {
                return;
            }
            lease.CheckpointedRemainingTtl = remainingTtl;
            if (_options.PersistCheckpoints)
            {
                Persist(lease);
            }
            if (_demoted is not null)
            {
                ScheduleCheckpointIfNeeded(lease, Now);
            }
        }
    }

    public bool Exists(long leaseId)
    {
        lock (_gate)
        {
            return _leases.ContainsKey(leaseId);
        }
    }

    public long LeaseOf(ReadOnlySpan<byte> key)
    {
        lock (_gate)
        {
            return _keyLeases.GetAlternateLookup<ReadOnlySpan<byte>>().TryGetValue(key, out long id) ? id : 0;
        }
    }

    /// <summary>Attaches a key; a lease that does not exist is ignored (etcd's store logs and goes on).</summary>
    public void Attach(long leaseId, ReadOnlySpan<byte> key)
    {
        lock (_gate)
        {
            if (!_leases.TryGetValue(leaseId, out var lease))
            {
                return;
            }
            var copy = key.ToArray();
            lease.Keys.Add(copy);
            _keyLeases[copy] = leaseId;
        }
    }

    public void Detach(long leaseId, ReadOnlySpan<byte> key)
    {
        lock (_gate)
        {
            if (!_leases.TryGetValue(leaseId, out var lease))
            {
                return;
            }
            lease.Keys.GetAlternateLookup<ReadOnlySpan<byte>>().Remove(key);
            _keyLeases.GetAlternateLookup<ReadOnlySpan<byte>>().Remove(key);
        }
    }

    /// <summary>
    /// Makes this lessor the primary: every lease expires its (checkpointed) remaining TTL plus
    /// <paramref name="extend"/> from now, so none expires early because leadership moved or the
    /// member restarted. With many leases, expiries that would pile up in one second are spread
    /// so that no second sees more than three quarters of the revoke rate (etcd's Promote).
    /// </summary>
    public void Promote(TimeSpan extend)
    {
        lock (_gate)
        {
            _demoted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var now = Now;
            foreach (var lease in _leases.Values)
            {
                Refresh(lease, now, extend);
            }
            if (_leases.Count < _options.RevokeRate)
            {
                return;
            }
            var leases = _leases.Values.ToArray();
            Array.Sort(leases, static (a, b) => a.Expiry.CompareTo(b.Expiry));
            var baseWindow = leases[0].Remaining(now);
            var nextWindow = baseWindow + TimeSpan.FromSeconds(1);
            int expires = 0;
            // Fewer than the revoke rate, so that leases piled up do not take the whole of it.
            int targetPerSecond = 3 * _options.RevokeRate / 4;
            foreach (var lease in leases)
            {
                var remaining = lease.Remaining(now);
                if (remaining > nextWindow)
                {
                    baseWindow = remaining;
                    nextWindow = baseWindow + TimeSpan.FromSeconds(1);
                    expires = 1;
                    continue;
                }
                expires++;
                if (expires <= targetPerSecond)
                {
                    continue;
                }
                // A lease already n seconds past the window's start needs n seconds less delay.
                var delay = TimeSpan.FromSeconds((double)expires / targetPerSecond) - (remaining - baseWindow);
                nextWindow = baseWindow + delay;
                Refresh(lease, now, delay + extend);
            }
        }
    }

    /// <summary>Stops managing expiry: leases never expire here, pending renewals of expired leases give up.</summary>
    public void Demote()
    {
        lock (_gate)
        {
            foreach (var lease in _leases.Values)
            {
                lease.NeverExpire();
            }
            _checkpoints.Clear();
            _expiries.Clear();
            _demoted?.TrySetResult();
            _demoted = null;
        }
    }

    /// <summary>
    /// Renews a lease on the primary: it expires its full TTL from now; returns the granted TTL.
    /// A lease already expired is not renewed: the call waits until it is revoked (not found) or
    /// this lessor is demoted or stopped (not primary), as etcd's does. A lease with a
    /// checkpointed remaining TTL has it cleared through raft first.
    /// </summary>
    public async Task<LeaseRenewal> RenewAsync(long id, CancellationToken cancellationToken)
    {
        Lease? lease;
        Task demoted;
        bool clearCheckpoint, expired;
        lock (_gate)
        {
            if (_demoted is null)
            {
                return LeaseRenewal.NotPrimary;
            }
            demoted = _demoted.Task;
            if (!_leases.TryGetValue(id, out lease))
            {
                return LeaseRenewal.NotFound;
            }
            clearCheckpoint = Checkpointer is not null && lease.CheckpointedRemainingTtl > 0;
            expired = lease.IsExpired(Now);
        }
        if (expired)
        {
            // Pending revocation, or going through raft: answer once it is decided.
            var first = await Task.WhenAny(lease.Revoked.Task, demoted, _stopped.Task).WaitAsync(cancellationToken).ConfigureAwait(false);
            return first == lease.Revoked.Task ? LeaseRenewal.NotFound : LeaseRenewal.NotPrimary;
        }
        if (clearCheckpoint && Checkpointer is { } checkpointer)
        {
            // Only when one is set: at most two checkpoint entries per lease per checkpoint interval.
            var clear = new LeaseCheckpointRequest();
            clear.Checkpoints.Add(new LeaseCheckpoint { ID = id, RemainingTTL = 0 });
            await checkpointer(clear, cancellationToken).ConfigureAwait(false);
        }
        lock (_gate)
        {
            lease.Refresh(Now, TimeSpan.Zero);
            if (_demoted is not null)
            {
                _expiries.RegisterOrUpdate(id, lease.Expiry);
            }
            return new LeaseRenewal(LeaseRenewalStatus.Renewed, lease.Ttl);
        }
    }

    /// <summary>The lease's remaining and granted TTL (and keys), or null if it does not exist.</summary>
    public LeaseStatus? TimeToLive(long id, bool withKeys)
    {
        lock (_gate)
        {
            if (!_leases.TryGetValue(id, out var lease))
            {
                return null;
            }
            var remaining = lease.Remaining(Now);
            // Go's int64(d.Seconds()) truncates towards zero; "never" is MaxInt64 nanoseconds.
            long seconds = remaining == TimeSpan.MaxValue ? long.MaxValue / 1_000_000_000 : remaining.Ticks / TimeSpan.TicksPerSecond;
            return new LeaseStatus(id, seconds, lease.Ttl, withKeys ? lease.SortedKeys() : []);
        }
    }

    /// <summary>Every lease's ID, soonest expiry first (etcd's Leases()).</summary>
    public IReadOnlyList<long> LeaseIdsByExpiry()
    {
        lock (_gate)
        {
            var leases = _leases.Values.ToArray();
            Array.Sort(leases, static (a, b) => a.Expiry.CompareTo(b.Expiry));
            return [.. leases.Select(l => l.Id)];
        }
    }

    /// <summary>
    /// On the primary, up to <paramref name="limit"/> expired leases for the server to revoke. A
    /// lease handed out is not handed out again before <see cref="LessorOptions.ExpiredLeaseRetryInterval"/>,
    /// unless renewed (etcd's findExpiredLeases).
    /// </summary>
    public IReadOnlyList<long> FindExpired(int limit)
    {
        var expired = new List<long>();
        lock (_gate)
        {
            if (_demoted is null)
            {
                return expired;
            }
            var now = Now;
            while (expired.Count < limit && _expiries.TryPeek(out long id, out var due))
            {
                if (!_leases.TryGetValue(id, out var lease))
                {
                    // Revoked meanwhile.
                    _expiries.RemoveFirst();
                    continue;
                }
                if (now < due)
                {
                    break;
                }
                _expiries.RegisterOrUpdate(id, now + _options.ExpiredLeaseRetryInterval);
                if (lease.IsExpired(now))
                {
                    expired.Add(id);
                }
            }
        }
        return expired;
    }

    /// <summary>
    /// On the primary with checkpointing on, the due checkpoints (up to <paramref name="limit"/>):
    /// each lease's remaining TTL rounded up, for leases not yet expired and not just renewed.
    /// </summary>
    public IReadOnlyList<LeaseCheckpoint> FindDueCheckpoints(int limit)
    {
        var due = new List<LeaseCheckpoint>();
        lock (_gate)
        {
            if (Checkpointer is null || _demoted is null)
            {
                return due;
            }
            var now = Now;
            while (due.Count < limit && _checkpoints.TryPeek(out long id, out var at))
            {
                if (at > now)
                {
                    break;
                }
                _checkpoints.Dequeue();
                if (!_leases.TryGetValue(id, out var lease) || now >= lease.Expiry)
                {
                    continue;
                }
                long remaining = (long)Math.Ceiling((lease.Expiry - now).TotalSeconds);
                if (remaining >= lease.Ttl)
                {
                    continue;
                }
                due.Add(new LeaseCheckpoint { ID = id, RemainingTTL = remaining });
            }
        }
        return due;
    }

    /// <summary>Releases renewals waiting on an expired lease (the server is stopping).</summary>
    public void Stop() => _stopped.TrySetResult();

    private void Refresh(Lease lease, TimeSpan now, TimeSpan extend)
    {
        lease.Refresh(now, extend);
        _expiries.RegisterOrUpdate(lease.Id, lease.Expiry);
        ScheduleCheckpointIfNeeded(lease, now);
    }

    private void ScheduleCheckpointIfNeeded(Lease lease, TimeSpan now)
    {
        if (Checkpointer is not null && lease.TtlToRefresh > (long)_options.CheckpointInterval.TotalSeconds)
        {
            _checkpoints.Enqueue(lease.Id, now + _options.CheckpointInterval);
        }
    }

    private void Persist(Lease lease) =>
        _bucket.Put(new LeaseRecord { ID = lease.Id, TTL = lease.Ttl, RemainingTTL = lease.CheckpointedRemainingTtl });
}
