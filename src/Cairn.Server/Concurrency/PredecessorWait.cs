using Cairn.Protocol.Etcdserverpb;
using Cairn.Protocol.Mvccpb;
using Cairn.Server.Errors;
using Google.Protobuf;

namespace Cairn.Server.Concurrency;

/// <summary>
/// clientv3's waitDeletes: a waiter under a prefix waits until every key created before its own
/// is gone, newest first (the one right before it, then whichever is newest of the rest), each
/// through a watch from the revision it was seen at. One hub stream serves the whole wait. The
/// waiter's own key is watched too, so that a waiter whose key disappears (its lease expired or
/// was revoked) stops waiting for a lock or leadership it can no longer get.
/// </summary>
internal static class PredecessorWait
{
    /// <summary>
    /// Waits until no key under <paramref name="prefix"/> has a create revision at or below
    /// <paramref name="maxCreateRevision"/>; returns the header of the range that found none.
    /// </summary>
    /// <param name="ownKey">The waiter's key, alive at <paramref name="ownKeySeenAt"/>; its deletion after that ends the wait with <paramref name="ownKeyLost"/>.</param>
    /// <exception cref="EtcdException">A range failed, the watch was compacted or lost, or the waiter's key was deleted.</exception>
    /// <exception cref="OperationCanceledException">The caller gave up.</exception>
    public static async Task<ResponseHeader> WaitAsync(
        MemberKeySpace keys, byte[] prefix, long maxCreateRevision, byte[] ownKey, long ownKeySeenAt, EtcdError ownKeyLost,
        CancellationToken cancellationToken)
    {
        // clientv3's WithLastCreate + WithMaxCreateRev: the newest key created at or before the bound.
        var newestBefore = new RangeRequest
        {
            Key = ByteString.CopyFrom(prefix),
            RangeEnd = ByteString.CopyFrom(RecipeKeys.PrefixEnd(prefix)),
            SortTarget = RangeRequest.Types.SortTarget.Create,
            SortOrder = RangeRequest.Types.SortOrder.Descend,
            Limit = 1,
            MaxCreateRevision = maxCreateRevision,
        };
        await using var watch = keys.OpenWatch();
        long own = watch.Watch(ownKey, null, ownKeySeenAt + 1);
        while (true)
        {
            var newest = await keys.RangeAsync(newestBefore, cancellationToken).ConfigureAwait(false);
            if (newest.Kvs.Count == 0)
            {
                return newest.Header;
            }
            long predecessor = watch.Watch(newest.Kvs[0].Key.ToByteArray(), null, newest.Header.Revision);
            await WaitDeletedAsync(watch, predecessor, own, ownKeyLost, cancellationToken).ConfigureAwait(false);
            watch.Cancel(predecessor);
        }
    }

    private static async Task WaitDeletedAsync(HubWatch watch, long predecessor, long own, EtcdError ownKeyLost, CancellationToken cancellationToken)
    {
        while (await watch.ReadAsync(cancellationToken).ConfigureAwait(false) is { } response)
        {
            if (response.WatchId != predecessor && response.WatchId != own)
            {
                continue; // a predecessor watched before, canceled since
            }
            if (response.CompactRevision != 0)
            {
                // clientv3's watch reports a compacted start revision as ErrCompacted.
                throw EtcdErrors.Compacted.ToException();
            }
            if (HasDelete(response))
            {
                if (response.WatchId == own)
                {
                    throw ownKeyLost.ToException();
                }
                return;
            }
        }
        cancellationToken.ThrowIfCancellationRequested();
        throw ConcurrencyErrors.LostWatcher.ToException();
    }

    private static bool HasDelete(WatchResponse response)
    {
        foreach (var e in response.Events)
        {
            if (e.Type == Event.Types.EventType.Delete)
            {
                return true;
            }
        }
        return false;
    }
}
