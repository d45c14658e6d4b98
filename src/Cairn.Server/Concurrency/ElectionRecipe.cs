using System.Runtime.CompilerServices;
using Cairn.Protocol.Etcdserverpb;
using Cairn.Protocol.Mvccpb;
using Cairn.Protocol.V3electionpb;
using Cairn.Server.Errors;
using Google.Protobuf;

namespace Cairn.Server.Concurrency;

/// <summary>
/// clientv3's Election run inside the member, as etcd's Election service runs it. An election is
/// the prefix <c>name/</c>; a campaigner puts <c>name/&lt;lease hex&gt;</c> with its proposal and
/// its lease, and leads once every key created before its own is gone. The leader is the key
/// created first; its value is the election's current proclamation. A leader key (name, key,
/// create revision, lease) is what Proclaim and Resign act on: they succeed only while that key
/// still exists with that create revision.
/// </summary>
public sealed class ElectionRecipe(MemberKeySpace keys)
{
    /// <summary>
    /// Campaigns and waits for leadership. A campaigner already in the election (same lease)
    /// keeps its place and proclaims its new value. Lease 0 means a new lease of 60 s. If the
    /// caller gives up, its key is deleted; the header is that of the campaign's transaction.
    /// </summary>
    /// <exception cref="EtcdException">etcd's error: an unknown lease, "election: not leader" when the key went away meanwhile, the server's errors.</exception>
    public async Task<CampaignResponse> CampaignAsync(ByteString name, long lease, ByteString value, CancellationToken cancellationToken)
    {
        lease = await keys.SessionLeaseAsync(lease, cancellationToken).ConfigureAwait(false);
        var prefix = RecipeKeys.Prefix(name.Span);
        var key = RecipeKeys.HolderKey(prefix, lease);
        var keyBytes = ByteString.CopyFrom(key);
        var joined = await keys.TxnAsync(new TxnRequest
        {
            Compare = { CreatedAt(keyBytes, 0) },
            Success = { new RequestOp { RequestPut = new PutRequest { Key = keyBytes, Value = value, Lease = lease } } },
            Failure = { new RequestOp { RequestRange = new RangeRequest { Key = keyBytes } } },
        }, cancellationToken).ConfigureAwait(false);

        var leader = new LeaderKey { Name = name, Key = keyBytes, Rev = joined.Header.Revision, Lease = lease };
        if (!joined.Succeeded)
        {
            var existing = joined.Responses[0].ResponseRange.Kvs[0];
            leader.Rev = existing.CreateRevision;
            if (existing.Value != value)
            {
                try
                {
                    await ProclaimAsync(leader, value, cancellationToken).ConfigureAwait(false);
                }
                catch (EtcdException)
                {
                    await ResignAfterFailureAsync(leader).ConfigureAwait(false);
                    throw;
                }
            }
        }
        try
        {
            await PredecessorWait.WaitAsync(keys, prefix, leader.Rev - 1, key, joined.Header.Revision,
                ConcurrencyErrors.ElectionNotLeader, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException || (e is EtcdException && cancellationToken.IsCancellationRequested))
        {
            // clientv3 resigns when the campaign's context ends; other failures leave the key to its lease.
            await ResignAfterFailureAsync(leader).ConfigureAwait(false);
            throw;
        }
        return new CampaignResponse { Header = joined.Header, Leader = leader };
    }

    /// <summary>Puts a new value on the leader key if it is still the one created at <c>leader.Rev</c>; "election: not leader" otherwise.</summary>
    public async Task<ProclaimResponse> ProclaimAsync(LeaderKey? leader, ByteString value, CancellationToken cancellationToken)
    {
        if (leader is null)
        {
            throw ConcurrencyErrors.MissingLeaderKey.ToException();
        }
        long lease = await keys.SessionLeaseAsync(leader.Lease, cancellationToken).ConfigureAwait(false);
        var proclaimed = await keys.TxnAsync(new TxnRequest
        {
            Compare = { CreatedAt(leader.Key, leader.Rev) },
            Success = { new RequestOp { RequestPut = new PutRequest { Key = leader.Key, Value = value, Lease = lease } } },
        }, cancellationToken).ConfigureAwait(false);
        if (!proclaimed.Succeeded)
        {
            throw ConcurrencyErrors.ElectionNotLeader.ToException();
        }
        return new ProclaimResponse { Header = proclaimed.Header };
    }

    /// <summary>Deletes the leader key if it is still the one created at <c>leader.Rev</c>; either way the header of the transaction.</summary>
    public async Task<ResignResponse> ResignAsync(LeaderKey? leader, CancellationToken cancellationToken)
    {
        if (leader is null)
        {
            throw ConcurrencyErrors.MissingLeaderKey.ToException();
        }
        await keys.SessionLeaseAsync(leader.Lease, cancellationToken).ConfigureAwait(false);
        var resigned = await keys.TxnAsync(new TxnRequest
        {
            Compare = { CreatedAt(leader.Key, leader.Rev) },
            Success = { new RequestOp { RequestDeleteRange = new DeleteRangeRequest { Key = leader.Key } } },
        }, cancellationToken).ConfigureAwait(false);
        return new ResignResponse { Header = resigned.Header };
    }

    /// <summary>The current leader's key and proclamation; "election: no leader" when nobody campaigns.</summary>
    public async Task<LeaderResponse> LeaderAsync(ByteString name, CancellationToken cancellationToken)
    {
        var first = await keys.RangeAsync(LockRecipe.FirstCreated(RecipeKeys.Prefix(name.Span)), cancellationToken).ConfigureAwait(false);
        if (first.Kvs.Count == 0)
        {
            throw ConcurrencyErrors.ElectionNoLeader.ToException();
        }
        return new LeaderResponse { Header = first.Header, Kv = first.Kvs[0] };
    }

    /// <summary>
    /// clientv3's Observe: the current leader (or, when there is none, the first put under the
    /// prefix), then every new value it proclaims, until its key is deleted; then the next leader,
    /// and so on. The sequence ends when a read fails or a watch ends (etcd then ends the stream
    /// without an error).
    /// </summary>
    public async IAsyncEnumerable<LeaderResponse> ObserveAsync(ByteString name, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var prefix = RecipeKeys.Prefix(name.Span);
        var firstCreated = LockRecipe.FirstCreated(prefix);
        while (true)
        {
            RangeResponse current;
            try
            {
                current = await keys.RangeAsync(firstCreated, cancellationToken).ConfigureAwait(false);
            }
            catch (EtcdException)
            {
                yield break;
            }
            await using var watch = keys.OpenWatch();
            LeaderResponse? leader;
            if (current.Kvs.Count > 0)
            {
                leader = new LeaderResponse { Header = current.Header, Kv = current.Kvs[0] };
            }
            else
            {
                leader = await FirstPutAsync(watch, prefix, current.Header.Revision, cancellationToken).ConfigureAwait(false);
                if (leader is null)
                {
                    yield break;
                }
            }
            yield return leader;

            long id = watch.Watch(leader.Kv.Key.ToByteArray(), null, leader.Header.Revision + 1);
            bool deleted = false;
            while (!deleted)
            {
                if (await watch.ReadAsync(cancellationToken).ConfigureAwait(false) is not { } response)
                {
                    yield break;
                }
                if (response.WatchId != id)
                {
                    continue;
                }
                foreach (var e in response.Events)
                {
                    if (e.Type == Event.Types.EventType.Delete)
                    {
                        deleted = true;
                        break;
                    }
                    yield return new LeaderResponse { Header = response.Header, Kv = e.Kv };
                }
                if (response.Canceled && !deleted)
                {
                    yield break; // compacted: clientv3 closes the watch channel
                }
            }
        }
    }

    /// <summary>
    /// With no leader: waits for the first put under the prefix after <paramref name="revision"/>;
    /// its header's revision is the put's. Null when the watch ends first.
    /// </summary>
    private static async Task<LeaderResponse?> FirstPutAsync(HubWatch watch, byte[] prefix, long revision, CancellationToken cancellationToken)
    {
        long id = watch.Watch(prefix, RecipeKeys.PrefixEnd(prefix), revision);
        while (await watch.ReadAsync(cancellationToken).ConfigureAwait(false) is { } response)
        {
            if (response.WatchId != id)
            {
                continue;
            }
            if (response.Canceled)
            {
                return null;
            }
            foreach (var e in response.Events)
            {
                if (e.Type == Event.Types.EventType.Put)
                {
                    var header = response.Header.Clone();
                    header.Revision = e.Kv.ModRevision;
                    watch.Cancel(id);
                    return new LeaderResponse { Header = header, Kv = e.Kv };
                }
            }
        }
        return null;
    }

    private static Compare CreatedAt(ByteString key, long revision) =>
        new() { Key = key, Target = Compare.Types.CompareTarget.Create, Result = Compare.Types.CompareResult.Equal, CreateRevision = revision };

    private async Task ResignAfterFailureAsync(LeaderKey leader)
    {
        using var timeout = new CancellationTokenSource(keys.RequestTimeout);
        try
        {
            await ResignAsync(leader, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is EtcdException or OperationCanceledException)
        {
            // The campaign's own error is what the caller hears; the key goes with its lease at the latest.
        }
    }
}
