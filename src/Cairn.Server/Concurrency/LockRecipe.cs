using Cairn.Protocol.Etcdserverpb;
using Cairn.Protocol.V3lockpb;
using Cairn.Server.Errors;
using Google.Protobuf;

namespace Cairn.Server.Concurrency;

/// <summary>
/// clientv3's Mutex run inside the member, as etcd's Lock service runs it: a lock is the prefix
/// <c>name/</c>; a caller joins it with the key <c>name/&lt;lease hex&gt;</c>, created with its
/// lease, and holds the lock once every key created before its own is gone, so holders follow
/// one another in creation order. Locking again with the same lease finds the key in place and
/// takes it over. The lock is released by deleting the key: Unlock, a revoke or the lease's expiry.
/// </summary>
public sealed class LockRecipe(MemberKeySpace keys)
{
    /// <summary>
    /// Waits for the lock; returns its key and the header of the read that found it held (or of
    /// the transaction, when it was free). Lease 0 means a new lease of 60 s, as etcd's session
    /// grants it. If the wait fails — the caller gives up, or its key goes — its key is deleted.
    /// </summary>
    /// <exception cref="EtcdException">etcd's error: an unknown lease, the waiter's key deleted ("mutex: session is expired"), the server's errors.</exception>
    public async Task<LockResponse> LockAsync(ByteString name, long lease, CancellationToken cancellationToken)
    {
        lease = await keys.SessionLeaseAsync(lease, cancellationToken).ConfigureAwait(false);
        var prefix = RecipeKeys.Prefix(name.Span);
        var key = RecipeKeys.HolderKey(prefix, lease);
        var keyBytes = ByteString.CopyFrom(key);
        var owner = FirstCreated(prefix);
        var joined = await keys.TxnAsync(new TxnRequest
        {
            Compare = { new Compare { Key = keyBytes, Target = Compare.Types.CompareTarget.Create, Result = Compare.Types.CompareResult.Equal, CreateRevision = 0 } },
            Success =
            {
                new RequestOp { RequestPut = new PutRequest { Key = keyBytes, Lease = lease } },
                new RequestOp { RequestRange = owner },
            },
            Failure =
            {
                new RequestOp { RequestRange = new RangeRequest { Key = keyBytes } },
                new RequestOp { RequestRange = owner },
            },
        }, cancellationToken).ConfigureAwait(false);

        long myRevision = joined.Succeeded ? joined.Header.Revision : joined.Responses[0].ResponseRange.Kvs[0].CreateRevision;
        var holder = joined.Responses[1].ResponseRange.Kvs;
        if (holder.Count == 0 || holder[0].CreateRevision == myRevision)
        {
            return new LockResponse { Header = joined.Header, Key = keyBytes };
        }
        try
        {
            var header = await PredecessorWait.WaitAsync(keys, prefix, myRevision - 1, key, joined.Header.Revision,
                ConcurrencyErrors.MutexSessionExpired, cancellationToken).ConfigureAwait(false);
            return new LockResponse { Header = header, Key = keyBytes };
        }
        catch (Exception e) when (e is EtcdException or OperationCanceledException)
        {
            await ReleaseAfterFailureAsync(key).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Deletes the lock key (whoever holds it); the header of the delete.</summary>
    public async Task<UnlockResponse> UnlockAsync(ByteString key, CancellationToken cancellationToken)
    {
        var deleted = await keys.DeleteAsync(key.ToByteArray(), cancellationToken).ConfigureAwait(false);
        return new UnlockResponse { Header = deleted.Header };
    }

    /// <summary>clientv3's WithFirstCreate on the prefix: the key created first, i.e. the holder.</summary>
    internal static RangeRequest FirstCreated(byte[] prefix) => new()
    {
        Key = ByteString.CopyFrom(prefix),
        RangeEnd = ByteString.CopyFrom(RecipeKeys.PrefixEnd(prefix)),
        SortTarget = RangeRequest.Types.SortTarget.Create,
        SortOrder = RangeRequest.Types.SortOrder.Ascend,
        Limit = 1,
    };

    /// <summary>The Mutex's Unlock on a failed wait, on the server's time rather than the caller's (who may be gone).</summary>
    private async Task ReleaseAfterFailureAsync(byte[] key)
    {
        using var timeout = new CancellationTokenSource(keys.RequestTimeout);
        try
        {
            await keys.DeleteAsync(key, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is EtcdException or OperationCanceledException)
        {
            // As etcd: the error of the wait is what the caller hears; the key goes with its lease at the latest.
        }
    }
}
