using Cairn.Protocol.Etcdserverpb;
using Cairn.Server.Logging;

namespace Cairn.Server.Lease;

/// <summary>
/// The primary's clock work (etcd's lessor runLoop and the server's revokeExpiredLeases): every
/// half second, up to half the revoke rate of expired leases are handed to
/// <c>revoke</c> (which proposes a LeaseRevoke through raft), at most 16 proposals in flight per
/// batch, at most 16 batches outstanding; then due checkpoints are proposed in batches. Expiry
/// is therefore decided by the leader alone and applied by every member at the same log index,
/// and thousands of leases expiring together become a steady stream of small entries that
/// writes interleave with rather than one burst that stalls them.
/// </summary>
public sealed class LeaseExpiryLoop
{
    /// <summary>etcd's maxPendingRevokes, and the capacity of its expiredC channel.</summary>
    private const int MaxPendingRevokes = 16;

    private static readonly TimeSpan Period = TimeSpan.FromMilliseconds(500);

    private readonly Lessor _lessor;
    private readonly Func<long, CancellationToken, Task> _revoke;
    private readonly ServerLogger _log;
    private int _pendingBatches;
    private long _revoked;

    /// <param name="lessor">The lessor whose expired leases and due checkpoints are processed.</param>
    /// <param name="revoke">Revokes one lease through raft; throws when that fails.</param>
    /// <param name="log">For revokes that fail.</param>
    public LeaseExpiryLoop(Lessor lessor, Func<long, CancellationToken, Task> revoke, ServerLogger log)
    {
        _lessor = lessor;
        _revoke = revoke;
        _log = log.ForPackage("etcdserver");
    }

    /// <summary>How many leases this loop revoked; for tests and metrics (etcd's lease_expired_total).</summary>
    public long Revoked => Interlocked.Read(ref _revoked);

    public async Task RunAsync(CancellationToken stop)
    {
        var revocations = new List<Task>();
        while (!stop.IsCancellationRequested)
        {
            if (RevokeExpired(stop) is { } batch)
            {
                revocations.Add(batch);
            }
            revocations.RemoveAll(t => t.IsCompleted);
            await CheckpointDueAsync(stop).ConfigureAwait(false);
            try
            {
                await Task.Delay(Period, _lessor.Options.Time, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        // Proposals in flight end with the server (they fail with "server stopped").
        await Task.WhenAll(revocations).ConfigureAwait(false);
    }

    /// <summary>Hands the next expired leases to a revoking task; null if none (or too many batches pending).</summary>
    internal Task? RevokeExpired(CancellationToken stop)
    {
        if (Volatile.Read(ref _pendingBatches) >= MaxPendingRevokes)
        {
            // etcd drops the batch when its channel is full; not taking it keeps the leases due.
            return null;
        }
        var expired = _lessor.FindExpired(_lessor.Options.RevokeRate / 2);
        if (expired.Count == 0)
        {
            return null;
        }
        Interlocked.Increment(ref _pendingBatches);
        return Task.Run(() => RevokeAllAsync(expired, stop), CancellationToken.None);
    }

    /// <summary>Proposes due checkpoints, a batch per entry, up to half the checkpoint rate of batches per round.</summary>
    internal async Task CheckpointDueAsync(CancellationToken stop)
    {
        if (_lessor.Checkpointer is not { } checkpointer)
        {
            return;
        }
        for (int i = 0; i < _lessor.Options.CheckpointRate / 2 && !stop.IsCancellationRequested; i++)
        {
            var due = _lessor.FindDueCheckpoints(_lessor.Options.MaxCheckpointBatch);
            if (due.Count > 0)
            {
                var request = new LeaseCheckpointRequest();
                request.Checkpoints.AddRange(due);
                try
                {
                    await checkpointer(request, stop).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    _log.Warn("failed to checkpoint leases", [LogField.Int("leases", due.Count), LogField.Error(e.Message)],
                        capnslog: $"failed to checkpoint {due.Count} leases ({e.Message})");
                }
            }
            if (due.Count < _lessor.Options.MaxCheckpointBatch)
            {
                return;
            }
        }
    }

    private async Task RevokeAllAsync(IReadOnlyList<long> leases, CancellationToken stop)
    {
        try
        {
            using var slots = new SemaphoreSlim(MaxPendingRevokes);
            var running = new List<Task>(leases.Count);
            foreach (long id in leases)
            {
                await slots.WaitAsync(stop).ConfigureAwait(false);
                running.Add(RevokeOneAsync(id, slots, stop));
            }
            await Task.WhenAll(running).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
        finally
        {
            Interlocked.Decrement(ref _pendingBatches);
        }
    }

    private async Task RevokeOneAsync(long id, SemaphoreSlim slots, CancellationToken stop)
    {
        try
        {
            await _revoke(id, stop).ConfigureAwait(false);
            Interlocked.Increment(ref _revoked);
        }
        catch (Exception e) when (!stop.IsCancellationRequested)
        {
            _log.Warn("failed to revoke lease", [new LogField("lease-id", id.ToString("x16", System.Globalization.CultureInfo.InvariantCulture)), LogField.Error(e.Message)],
                capnslog: $"failed to revoke {id:x16} ({e.Message})");
        }
        catch (Exception)
        {
            // Stopping: the proposal failed with the server.
        }
        finally
        {
            slots.Release();
        }
    }
}
