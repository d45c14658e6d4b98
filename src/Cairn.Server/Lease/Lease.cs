using Cairn.Storage;

namespace Cairn.Server.Lease;

/// <summary>
/// One lease in the lessor's table (etcd's lease.Lease): its granted TTL, the remaining TTL of its
/// last checkpoint, when it expires on this member, and the keys attached to it. Only the lessor
/// touches it, under its lock.
/// </summary>
internal sealed class Lease
{
    /// <summary>The expiry of a lease on a member that is not the primary lessor: never.</summary>
    public static readonly TimeSpan Forever = TimeSpan.MaxValue;

    public Lease(long id, long ttl, long checkpointedRemainingTtl)
    {
        Id = id;
        Ttl = ttl;
        CheckpointedRemainingTtl = checkpointedRemainingTtl;
    }

    public long Id { get; }

    /// <summary>The granted time to live in seconds (the minimum TTL applied).</summary>
    public long Ttl { get; }

    /// <summary>The remaining TTL recorded by the last checkpoint, 0 for none (etcd's remainingTTL).</summary>
    public long CheckpointedRemainingTtl { get; set; }

    /// <summary>When the lease expires, on the lessor's clock; <see cref="Forever"/> on a non-primary.</summary>
    public TimeSpan Expiry { get; private set; } = Forever;

    /// <summary>The attached keys.</summary>
    public HashSet<byte[]> Keys { get; } = new(ByteArrayComparer.Instance);

    /// <summary>Completes when the lease is revoked (a renewal of an expired lease waits for it).</summary>
    public TaskCompletionSource Revoked { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The TTL a refresh counts from: the checkpointed remaining TTL if there is one (etcd's RemainingTTL()).</summary>
    public long TtlToRefresh => CheckpointedRemainingTtl > 0 ? CheckpointedRemainingTtl : Ttl;

    /// <summary>Expires <see cref="TtlToRefresh"/> seconds plus <paramref name="extend"/> from <paramref name="now"/>.</summary>
    public void Refresh(TimeSpan now, TimeSpan extend) => Expiry = now + extend + TimeSpan.FromSeconds(TtlToRefresh);

    public void NeverExpire() => Expiry = Forever;

    /// <summary>The time left; <see cref="TimeSpan.MaxValue"/> when it never expires.</summary>
    public TimeSpan Remaining(TimeSpan now) => Expiry == Forever ? TimeSpan.MaxValue : Expiry - now;

    public bool IsExpired(TimeSpan now) => Remaining(now) <= TimeSpan.Zero;

    /// <summary>The keys in byte order (etcd sorts them so every member deletes them in the same order).</summary>
    public byte[][] SortedKeys()
    {
        var keys = Keys.ToArray();
        Array.Sort(keys, static (a, b) => a.AsSpan().SequenceCompareTo(b));
        return keys;
    }
}
